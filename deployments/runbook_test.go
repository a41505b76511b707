package deployments

import (
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// TestAlertRulesHaveRunbooks checks each alert has a severity and a runbook link
// to a section of docs/operations.md that exists.
func TestAlertRulesHaveRunbooks(t *testing.T) {
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "#") {
			anchors[anchor(strings.TrimSpace(strings.TrimLeft(line, "#")))] = true
		}
	}
	n := 0
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			n++
			if s := r.Labels["severity"]; s != "critical" && s != "warning" {
				t.Errorf("%s: severity %q, want critical or warning", r.Alert, s)
			}
			page, frag, _ := strings.Cut(r.Annotations["runbook"], "#")
			if page != "docs/operations.md" || !anchors[frag] {
				t.Errorf("%s: runbook %q is not a section of docs/operations.md", r.Alert, r.Annotations["runbook"])
			}
		}
	}
	if n < 6 {
		t.Errorf("%d alert rules, want at least the six of issue 13", n)
	}
}

// anchor is GitHub's link fragment for a heading.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestSecretsDocumented checks that the manifests carry no Secret, only references,
// and that docs/operations.md's `kubectl create secret` names every key they read,
// so the guide's command gives the pods everything they need.
func TestSecretsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range kustomizations {
		keys := map[string]bool{}
		for _, o := range render(t, dir) {
			switch o := o.(type) {
			case *corev1.Secret:
				t.Errorf("%s renders Secret %s: secrets must be created outside the manifests", dir, o.Name)
			case *appsv1.Deployment:
				for _, c := range o.Spec.Template.Spec.Containers {
					for _, e := range c.Env {
						if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
							keys[e.ValueFrom.SecretKeyRef.Name+"/"+e.ValueFrom.SecretKeyRef.Key] = true
						}
					}
				}
			}
		}
		if len(keys) == 0 {
			t.Errorf("%s: no container reads a Secret", dir)
		}
		for k := range keys {
			name, key, _ := strings.Cut(k, "/")
			if !strings.Contains(string(doc), "create secret generic "+name) || !strings.Contains(string(doc), "--from-literal="+key+"=") {
				t.Errorf("%s reads Secret %s key %s, which docs/operations.md does not tell to create", dir, name, key)
			}
		}
	}
}
