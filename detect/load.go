package detect

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileConfig is the detector settings file: durations as strings ("2m").
type fileConfig struct {
	Alpha         *float64               `yaml:"alpha"`
	MinAuthors    *int                   `yaml:"min_authors"`
	ShortWindow   *string                `yaml:"short_window"`
	LongWindow    *string                `yaml:"long_window"`
	HalfLife      *string                `yaml:"half_life"`
	MinRatio      *float64               `yaml:"min_ratio"`
	ProfileMemory *string                `yaml:"profile_memory"`
	WeekMemory    *string                `yaml:"week_memory"`
	DispMemory    *string                `yaml:"dispersion_memory"`
	Winsor        *float64               `yaml:"winsor"`
	AdoptAfter    *string                `yaml:"adopt_after"`
	ReopenWithin  *string                `yaml:"reopen_within"`
	RareEvery     *string                `yaml:"rare_every"`
	EpisodeMemory *string                `yaml:"episode_memory"`
	LongEpisode   *string                `yaml:"long_episode"`
	FloorPerMin   *float64               `yaml:"floor_per_min"`
	Warmup        *string                `yaml:"warmup"`
	QuietAlpha    *float64               `yaml:"quiet_alpha"`
	QuietFraction *float64               `yaml:"quiet_fraction"`
	QuietMinutes  *string                `yaml:"quiet"`
	Lateness      *string                `yaml:"lateness"`
	Regional      *bool                  `yaml:"regional"`
	RegionalMin   *float64               `yaml:"regional_min"`
	Services      map[string]Sensitivity `yaml:"services"`
}

// LoadConfig reads a YAML (or JSON) settings file over cfg and validates the result.
// Unknown keys are errors, so a typo does not silently keep a default.
func LoadConfig(path string, cfg *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("detect: read settings: %w", err)
	}
	return ParseConfig(path, b, cfg)
}

// ParseConfig is LoadConfig on bytes.
func ParseConfig(name string, b []byte, cfg *Config) error {
	var f fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err != io.EOF {
		return fmt.Errorf("detect: %s: %w", name, err)
	}
	setF := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	setF(&cfg.Alpha, f.Alpha)
	setF(&cfg.FloorPerMin, f.FloorPerMin)
	setF(&cfg.QuietAlpha, f.QuietAlpha)
	setF(&cfg.QuietFraction, f.QuietFraction)
	setF(&cfg.MinRatio, f.MinRatio)
	setF(&cfg.Winsor, f.Winsor)
	setF(&cfg.RegionalMin, f.RegionalMin)
	if f.MinAuthors != nil {
		cfg.MinAuthors = *f.MinAuthors
	}
	if f.Regional != nil {
		cfg.Regional = *f.Regional
	}
	for _, d := range []struct {
		name string
		v    *string
		dst  *time.Duration
	}{
		{"short_window", f.ShortWindow, &cfg.ShortWindow}, {"long_window", f.LongWindow, &cfg.LongWindow},
		{"half_life", f.HalfLife, &cfg.HalfLife}, {"warmup", f.Warmup, &cfg.Warmup},
		{"quiet", f.QuietMinutes, &cfg.QuietMinutes}, {"lateness", f.Lateness, &cfg.Lateness},
		{"profile_memory", f.ProfileMemory, &cfg.ProfileMemory}, {"week_memory", f.WeekMemory, &cfg.WeekMemory},
		{"dispersion_memory", f.DispMemory, &cfg.DispersionMemory}, {"adopt_after", f.AdoptAfter, &cfg.AdoptAfter},
		{"reopen_within", f.ReopenWithin, &cfg.ReopenWithin},
		{"rare_every", f.RareEvery, &cfg.RareEvery}, {"episode_memory", f.EpisodeMemory, &cfg.EpisodeMemory},
		{"long_episode", f.LongEpisode, &cfg.LongEpisode},
	} {
		if d.v == nil {
			continue
		}
		v, err := time.ParseDuration(*d.v)
		if err != nil {
			return fmt.Errorf("detect: %s: %s: %q is not a duration like 2m or 90s", name, d.name, *d.v)
		}
		*d.dst = v
	}
	if len(f.Services) > 0 {
		if cfg.Services == nil {
			cfg.Services = map[string]Sensitivity{}
		}
		for k, v := range f.Services {
			cfg.Services[k] = v
		}
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
