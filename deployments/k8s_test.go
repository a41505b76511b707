package deployments

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizations are the folders `kubectl apply -k` takes.
var kustomizations = []string{"k8s/base", "k8s/overlays/production"}

// decoder decodes YAML strictly into the real API types: an unknown or duplicated
// field, or a kind these types do not know, is an error.
func decoder(t *testing.T) runtime.Decoder {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	return json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true, Strict: true})
}

// render runs Kustomize over dir and decodes every object it builds.
func render(t *testing.T, dir string) []runtime.Object {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	dec := decoder(t)
	var objs []runtime.Object
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatalf("%s: %s: %v", dir, r.CurId(), err)
		}
		obj, _, err := dec.Decode(y, nil, nil)
		if err != nil {
			t.Errorf("%s: %s does not decode strictly: %v", dir, r.CurId(), err)
			continue
		}
		objs = append(objs, obj)
	}
	return objs
}

// TestStrictDecodingRefusesUnknownFields shows the decoder used below can fail: a
// misspelt field and an unknown kind are both errors.
func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	dec := decoder(t)
	for name, doc := range map[string]string{
		"misspelt field":  "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {selectr: {a: b}}\n",
		"duplicate field": "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nmetadata: {name: b}\n",
		"unknown kind":    "apiVersion: v1\nkind: Servise\nmetadata: {name: a}\n",
	} {
		if _, _, err := dec.Decode([]byte(doc), nil, nil); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// TestManifestsDecodeStrictly renders every kustomization and checks what it
// builds: each role's Deployment is there, selectors select their pods, names the
// pods refer to (ConfigMaps, ports) exist, and every container runs as non-root
// with requests and limits.
func TestManifestsDecodeStrictly(t *testing.T) {
	for _, dir := range kustomizations {
		t.Run(dir, func(t *testing.T) {
			objs := render(t, dir)
			configMaps := map[string]*corev1.ConfigMap{}
			var deployments []*appsv1.Deployment
			roles := map[string]int{}
			for _, o := range objs {
				switch o := o.(type) {
				case *corev1.ConfigMap:
					configMaps[o.Name] = o
				case *appsv1.Deployment:
					deployments = append(deployments, o)
					roles[o.Spec.Template.Labels["app.kubernetes.io/component"]]++
				}
			}
			if roles["ingest"] < 2 || roles["detect"] != 1 || roles["serve"] != 1 {
				t.Errorf("Deployments per role %v, want one per source for ingest, one detect, one serve", roles)
			}
			for _, d := range deployments {
				checkDeployment(t, d, configMaps)
			}
			checkSelectors(t, objs)
		})
	}
}

func checkDeployment(t *testing.T, d *appsv1.Deployment, configMaps map[string]*corev1.ConfigMap) {
	t.Helper()
	pod := d.Spec.Template.Spec
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("%s: selector %s=%s does not select its own pods", d.Name, k, v)
		}
	}
	if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("%s: the pod must run as a non-root user", d.Name)
	}
	for _, v := range pod.Volumes {
		if v.ConfigMap != nil && configMaps[v.ConfigMap.Name] == nil {
			t.Errorf("%s: volume %s names ConfigMap %s, which is not rendered", d.Name, v.Name, v.ConfigMap.Name)
		}
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("%s/%s: want allowPrivilegeEscalation false and a read-only root filesystem", d.Name, c.Name)
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := c.Resources.Requests[r]; !ok {
				t.Errorf("%s/%s: no %s request", d.Name, c.Name, r)
			}
			if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
				t.Errorf("%s/%s: no memory limit", d.Name, c.Name)
			}
		}
		for _, e := range c.Env {
			if ref := e.ValueFrom; ref != nil && ref.ConfigMapKeyRef != nil {
				cm := configMaps[ref.ConfigMapKeyRef.Name]
				if cm == nil || cm.Data[ref.ConfigMapKeyRef.Key] == "" {
					t.Errorf("%s/%s: env %s reads %s/%s, which is not rendered", d.Name, c.Name, e.Name, ref.ConfigMapKeyRef.Name, ref.ConfigMapKeyRef.Key)
				}
			}
		}
		if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/livez" {
			t.Errorf("%s/%s: want a liveness probe on GET /livez", d.Name, c.Name)
		}
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("%s/%s: want a readiness probe on GET /readyz", d.Name, c.Name)
		}
	}
}

// checkSelectors checks that each Service, PodDisruptionBudget and Ingress points
// at something rendered: a Service selects a pod that has its target port, a
// budget selects pods, an Ingress names a Service port.
func checkSelectors(t *testing.T, objs []runtime.Object) {
	t.Helper()
	var pods []corev1.PodTemplateSpec
	services := map[string]*corev1.Service{}
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			pods = append(pods, o.Spec.Template)
		case *corev1.Service:
			services[o.Name] = o
		}
	}
	selected := func(sel map[string]string) []corev1.PodTemplateSpec {
		var out []corev1.PodTemplateSpec
	pods:
		for _, p := range pods {
			for k, v := range sel {
				if p.Labels[k] != v {
					continue pods
				}
			}
			out = append(out, p)
		}
		return out
	}
	for _, s := range services {
		ps := selected(s.Spec.Selector)
		if len(ps) == 0 {
			t.Errorf("Service %s selects no pod", s.Name)
		}
		for _, sp := range s.Spec.Ports {
			for _, p := range ps {
				if containerPort(p, sp.TargetPort.String()) == 0 {
					t.Errorf("Service %s: target port %s is not a port of the pods it selects", s.Name, sp.TargetPort.String())
				}
			}
		}
	}
	for _, o := range objs {
		switch o := o.(type) {
		case *policyv1.PodDisruptionBudget:
			if len(selected(o.Spec.Selector.MatchLabels)) == 0 {
				t.Errorf("PodDisruptionBudget %s selects no pod", o.Name)
			}
		case *networkingv1.Ingress:
			for _, r := range o.Spec.Rules {
				for _, p := range r.HTTP.Paths {
					s := services[p.Backend.Service.Name]
					if s == nil || !hasServicePort(s, p.Backend.Service.Port) {
						t.Errorf("Ingress %s: backend %s:%v is not a rendered Service port", o.Name, p.Backend.Service.Name, p.Backend.Service.Port)
					}
				}
			}
		}
	}
}

func hasServicePort(s *corev1.Service, p networkingv1.ServiceBackendPort) bool {
	for _, sp := range s.Spec.Ports {
		if (p.Name != "" && sp.Name == p.Name) || (p.Number != 0 && sp.Port == p.Number) {
			return true
		}
	}
	return false
}

// containerPort returns the port named (or numbered) port in a pod, or 0.
func containerPort(p corev1.PodTemplateSpec, port string) int32 {
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == port || strconv.Itoa(int(cp.ContainerPort)) == port {
				return cp.ContainerPort
			}
		}
	}
	return 0
}

// listenFlags are the flags whose ADDR a role listens on, and what for: the probes
// must reach /livez and /readyz on the role's metrics (ingest, detect) or HTTP
// (serve) address.
var listenFlags = map[string][]string{"ingest": {"metrics", "listen"}, "detect": {"metrics"}, "serve": {"http"}}
var probeFlag = map[string]string{"ingest": "metrics", "detect": "metrics", "serve": "http"}

// runtimeEnv are variables the Go runtime reads, not downwatch.
var runtimeEnv = map[string]bool{"GOMEMLIMIT": true}

var argRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// TestManifestsMatchBinary checks the rendered pods against `downwatch ROLE
// --help`: every flag exists, every address flag listens on a declared container
// port that the probes use, every environment variable is one the role reads (or
// one an argument expands), detectors do not outnumber partitions, and the
// catalog and detector settings in the ConfigMap are accepted by the binary.
func TestManifestsMatchBinary(t *testing.T) {
	for _, dir := range kustomizations {
		t.Run(dir, func(t *testing.T) {
			partitions := map[string]bool{}
			configs := 0
			for _, o := range render(t, dir) {
				switch o := o.(type) {
				case *appsv1.Deployment:
					for _, c := range o.Spec.Template.Spec.Containers {
						flags := checkContainer(t, o.Name, o.Spec.Template, c)
						if p, ok := flags["partitions"]; ok {
							partitions[p] = true
							n, _ := strconv.Atoi(p)
							if o.Spec.Replicas != nil && int(*o.Spec.Replicas) > n && c.Args[0] == "detect" {
								t.Errorf("%s: %d replicas for %d partitions: the extra ones would sit idle", o.Name, *o.Spec.Replicas, n)
							}
						} else if c.Args[0] != "serve" {
							t.Errorf("%s: no --partitions; ingest and detect must agree on it", o.Name)
						}
					}
				case *corev1.ConfigMap:
					configs += checkConfigAccepted(t, o)
				}
			}
			if configs != 2 {
				t.Errorf("checked %d of the catalog and detector settings in the ConfigMaps, want both", configs)
			}
			if len(partitions) != 1 {
				t.Errorf("--partitions differs between Deployments: %v", partitions)
			}
		})
	}
}

// checkContainer checks one container against its role's usage and returns its
// flags by name.
func checkContainer(t *testing.T, name string, pod corev1.PodTemplateSpec, c corev1.Container) map[string]string {
	t.Helper()
	if len(c.Args) == 0 || len(c.Command) != 0 {
		t.Errorf("%s: want the role in args (the image's entrypoint is downwatch), got command %q args %q", name, c.Command, c.Args)
		return nil
	}
	role := c.Args[0]
	help := usage(t, role)
	flags := map[string]string{}
	expanded := map[string]bool{}
	for _, a := range c.Args[1:] {
		k, v, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "--") || !ok {
			t.Errorf("%s: argument %q: write flags as --name=value", name, a)
			continue
		}
		if !hasFlag(help, k) {
			t.Errorf("%s: `downwatch %s` has no flag --%s", name, role, k)
		}
		flags[k] = v
		for _, m := range argRef.FindAllStringSubmatch(v, -1) {
			expanded[m[1]] = true
		}
	}
	declared := map[string]bool{}
	for _, e := range c.Env {
		declared[e.Name] = true
		if !expanded[e.Name] && !runtimeEnv[e.Name] && !strings.Contains(help, e.Name) {
			t.Errorf("%s: env %s is neither read by `downwatch %s` (its --help does not name it) nor used in an argument", name, e.Name, role)
		}
	}
	for v := range expanded {
		if !declared[v] {
			t.Errorf("%s: an argument uses $(%s), which the container does not define", name, v)
		}
	}
	for _, f := range listenFlags[role] {
		addr, ok := flags[f]
		if !ok {
			continue
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil || containerPort(corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{c}}}, port) == 0 {
			t.Errorf("%s: --%s=%s listens on no declared container port", name, f, addr)
		}
	}
	probeAddr, ok := flags[probeFlag[role]]
	if !ok {
		t.Errorf("%s: no --%s: the probes have nothing to reach", name, probeFlag[role])
		return flags
	}
	_, port, _ := net.SplitHostPort(probeAddr)
	for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil {
			continue
		}
		if got := containerPort(corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{c}}}, p.HTTPGet.Port.String()); strconv.Itoa(int(got)) != port {
			t.Errorf("%s: probe %s on port %s, but --%s listens on %s", name, p.HTTPGet.Path, p.HTTPGet.Port.String(), probeFlag[role], port)
		}
	}
	return flags
}

// checkConfigAccepted runs the binary over the ConfigMap's catalog and detector
// settings: a key the binary does not know is an error there, so it is here.
func checkConfigAccepted(t *testing.T, cm *corev1.ConfigMap) (checked int) {
	t.Helper()
	dir := t.TempDir()
	for key, data := range cm.Data {
		path := filepath.Join(dir, key)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		var args []string
		switch key {
		case "catalog.yaml":
			args = []string{"ingest", "--source", "file", "--out", "-", "--input", os.DevNull, "--catalog", path}
		case "detect-config.yaml":
			args = []string{"replay", "--input", os.DevNull, "--report", os.DevNull, "--detect-config", path}
		default:
			continue
		}
		if out, err := exec.Command(downwatch(t), args...).CombinedOutput(); err != nil {
			t.Errorf("ConfigMap %s key %s is refused by `downwatch %s`: %v\n%s", cm.Name, key, args[0], err, out)
		}
		checked++
	}
	return checked
}
