package scenario

import (
	"fmt"
	"strings"
	"time"
)

// at parses a fixed RFC 3339 time of the suite; the suite's times are constants.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic("scenario: bad suite time " + s)
	}
	return t
}

func atp(s string) *time.Time {
	t := at(s)
	return &t
}

// whatsapp2022Mix is where the complaints of 25 October 2022 came from: India first
// (Hindi, Hinglish, English, Bengali), then the UK, South Africa, Italy, Turkey, and
// a smaller share from Spanish, Portuguese, Arabic and Indonesian users.
var whatsapp2022Mix = []Region{
	{Country: "IN", Weight: 0.20, Langs: []string{"hi"}},
	{Country: "IN", Weight: 0.12, Langs: []string{"hi-Latn"}},
	{Country: "IN", Weight: 0.14, Langs: []string{"en"}},
	{Country: "IN", Weight: 0.08, Langs: []string{"bn"}},
	{Country: "BD", Weight: 0.03, Langs: []string{"bn"}},
	{Country: "GB", Weight: 0.09, Langs: []string{"en"}},
	{Country: "ZA", Weight: 0.05, Langs: []string{"en"}},
	{Country: "IT", Weight: 0.08, Langs: []string{"it"}},
	{Country: "TR", Weight: 0.07, Langs: []string{"tr"}},
	{Country: "ES", Weight: 0.02, Langs: []string{"es"}},
	{Country: "MX", Weight: 0.02, Langs: []string{"es"}},
	{Country: "BR", Weight: 0.04, Langs: []string{"pt"}},
	{Country: "SA", Weight: 0.03, Langs: []string{"ar"}},
	{Country: "ID", Weight: 0.03, Langs: []string{"id"}},
}

// ANIAck is the acknowledgement of 25 October 2022 as docs/CONTRACT.md §1 quotes it.
const ANIAck = `#UPDATE | "We're aware that some people are currently having trouble sending messages and we're working to restore WhatsApp for everyone as quickly as possible," says Meta Company Spokesperson`

// whatsapp2022 is the story downwatch was built from, starting history hours before
// the onset at 07:05 UTC.
func whatsapp2022(name string, history time.Duration) Scenario {
	onset := at("2022-10-25T07:05:00Z")
	start := onset.Add(-history)
	end := at("2022-10-25T13:00:00Z")
	return Scenario{
		Name: name,
		Description: "WhatsApp outage of 25 October 2022: worldwide, ~07:05-09:15 UTC, complaints in Hindi, Bengali, English, " +
			"Italian, Turkish and more from India, the UK, South Africa, Italy and Turkey; ANI quotes the Meta spokesperson an hour in.",
		Seed:     20221025,
		Start:    start,
		Duration: end.Sub(start),
		Background: []Background{
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
			{Service: "instagram", ComplaintsPerMin: 1.2, ChatterPerMin: 8},
			{Service: "telegram", ComplaintsPerMin: 0.4, ChatterPerMin: 3},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{{
			Outage: Outage{
				Service: "whatsapp", Start: onset, End: at("2022-10-25T09:15:00Z"), PeakPerMin: 300,
				Langs:    []string{"hi", "en", "bn", "it", "tr", "es", "pt", "ar", "id"},
				Symptoms: []string{"send-messages", "receive-messages"},
				AckAt:    atp("2022-10-25T08:05:00Z"), AckBy: "ANI",
			},
			Mix:     whatsapp2022Mix,
			Ramp:    3 * time.Minute,
			Sag:     0.35,
			AckText: ANIAck,
		}},
		Traps: []TrapSpec{{Kind: TrapMediaReports, Service: "whatsapp", Start: at("2022-10-25T07:35:00Z"), End: at("2022-10-25T09:40:00Z")}},
		Late:  Lateness{Fraction: 0.03, Min: time.Second, Max: 20 * time.Second},
	}
}

// Demo is whatsapp-2022 with three hours of history before the onset and ending at
// 10:00 UTC: short enough to replay at an accelerated speed in a demo.
func Demo() Scenario {
	s := whatsapp2022("demo", 3*time.Hour)
	s.Duration = at("2022-10-25T10:00:00Z").Sub(s.Start)
	return s
}

// Suite returns the named scenario suite in a stable order. Each call returns fresh
// values; callers may modify them.
func Suite() []Scenario {
	return []Scenario{
		whatsapp2022("whatsapp-2022", 12*time.Hour+5*time.Minute),
		regionalTR(),
		regionalJP(),
		smallService(),
		cdnUpstream(),
		nightOnset(),
		coldStart(),
		traps(),
		latePosts(),
		multiLingualGlobal(),
		flapping(),
		twoOutages(),
		slowBurn(),
		concurrentUnrelated(),
		realICloudKeynote(),
		realGmailWeeklyLow(),
		realSpotifySlowBurn(),
		realSignalSmall(),
		realNetflixLevelShift(),
	}
}

// Names returns the names of the suite's scenarios in Suite order.
func Names() []string {
	s := Suite()
	names := make([]string, len(s))
	for i, sc := range s {
		names[i] = sc.Name
	}
	return names
}

// Select returns the scenarios called names (ByName), in that order, or the whole suite
// when there are none.
func Select(names ...string) ([]Scenario, error) {
	if len(names) == 0 {
		return Suite(), nil
	}
	var out []Scenario
	for _, n := range names {
		s, ok := ByName(n)
		if !ok {
			return nil, fmt.Errorf("%w: no scenario %q; there are: %s", ErrInvalid, n, strings.Join(Names(), ", "))
		}
		out = append(out, s)
	}
	return out, nil
}

// ByName returns the suite scenario called name, or "demo" for Demo.
func ByName(name string) (Scenario, bool) {
	if name == "demo" {
		return Demo(), true
	}
	for _, s := range Suite() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

func regionalTR() Scenario {
	return Scenario{
		Name: "regional-tr",
		Description: "Instagram fails in Turkey only, in Turkish only (peak ~25/min) while the global background is ~6/min, " +
			"of which Turkey is ~0.3/min: a regional detector sees it, a global rate barely moves.",
		Seed:     9031,
		Start:    at("2023-03-14T00:00:00Z"),
		Duration: 24 * time.Hour,
		Background: []Background{
			{Service: "instagram", ComplaintsPerMin: 6, ChatterPerMin: 30},
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
			{Service: "youtube", ComplaintsPerMin: 1, ChatterPerMin: 10},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "instagram", Country: "TR", Start: at("2023-03-14T17:10:00Z"), End: at("2023-03-14T18:05:00Z"), PeakPerMin: 25,
			Langs: []string{"tr"}, Symptoms: []string{"load", "login", "upload"},
		}}},
	}
}

func regionalJP() Scenario {
	return Scenario{
		Name: "regional-jp",
		Description: "X (Twitter) fails in Japan only on a Friday evening: Japanese posts with no spaces " +
			"(\"Twitter落ちてる\", \"ツイッター繋がらない\"), X Support acknowledges half an hour in.",
		Seed:     8101,
		Start:    at("2024-05-09T14:00:00Z"),
		Duration: 24 * time.Hour,
		Background: []Background{
			{Service: "x", ComplaintsPerMin: 4, ChatterPerMin: 20},
			{Service: "youtube", ComplaintsPerMin: 1, ChatterPerMin: 10},
			{Service: "instagram", ComplaintsPerMin: 1.2, ChatterPerMin: 8},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "x", Country: "JP", Start: at("2024-05-10T12:20:00Z"), End: at("2024-05-10T13:05:00Z"), PeakPerMin: 80,
			Langs: []string{"ja"}, Symptoms: []string{"load", "upload"},
			AckAt: atp("2024-05-10T12:52:00Z"), AckBy: "Support",
		}}},
	}
}

func smallService() Scenario {
	return Scenario{
		Name: "small-service",
		Description: "Signal, whose normal rate is a few complaints a day, fails for 25 minutes at ~10 distinct authors/min: " +
			"a burst that is tiny in absolute terms and huge against its baseline.",
		Seed:     4102,
		Start:    at("2023-06-19T18:00:00Z"),
		Duration: 24 * time.Hour,
		Background: []Background{
			{Service: "signal", ComplaintsPerMin: 4.0 / 1440, ChatterPerMin: 0.3},
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
			{Service: "telegram", ComplaintsPerMin: 0.4, ChatterPerMin: 3},
		},
		NoisePerMin: 12,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "signal", Start: at("2023-06-20T16:40:00Z"), End: at("2023-06-20T17:05:00Z"), PeakPerMin: 10,
			Langs: []string{"en", "de", "fr", "es"}, Symptoms: []string{"send-messages", "connect"},
			AckAt: atp("2023-06-20T16:58:00Z"), AckBy: "signalapp",
		}}},
	}
}

func cdnUpstream() Scenario {
	mix := []Region{
		{Country: "US", Weight: 0.45, Langs: []string{"en"}},
		{Country: "GB", Weight: 0.12, Langs: []string{"en"}},
		{Country: "DE", Weight: 0.1, Langs: []string{"de", "en"}},
		{Country: "FR", Weight: 0.08, Langs: []string{"fr"}},
		{Country: "BR", Weight: 0.1, Langs: []string{"pt"}},
		{Country: "ES", Weight: 0.05, Langs: []string{"es"}},
		{Country: "JP", Weight: 0.05, Langs: []string{"ja"}},
		{Country: "IN", Weight: 0.05, Langs: []string{"en"}},
	}
	return Scenario{
		Name: "cdn-upstream",
		Description: "A CDN failure takes down Cloudflare, Discord and Shopify within two minutes of each other: " +
			"three outages, one upstream cause (group cdn-2023); CloudflareHelp acknowledges.",
		Seed:     2023,
		Start:    at("2023-11-01T12:00:00Z"),
		Duration: 30 * time.Hour,
		Background: []Background{
			{Service: "cloudflare", ComplaintsPerMin: 0.3, ChatterPerMin: 2},
			{Service: "discord", ComplaintsPerMin: 1.5, ChatterPerMin: 10},
			{Service: "shopify", ComplaintsPerMin: 0.2, ChatterPerMin: 2},
			{Service: "github", ComplaintsPerMin: 0.4, ChatterPerMin: 4},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{
			{Outage: Outage{
				Service: "cloudflare", Start: at("2023-11-02T11:43:00Z"), End: at("2023-11-02T13:05:00Z"), PeakPerMin: 60,
				Symptoms: []string{"load", "connect"}, AckAt: atp("2023-11-02T12:01:00Z"), AckBy: "CloudflareHelp", Group: "cdn-2023",
			}, Mix: mix},
			{Outage: Outage{
				Service: "discord", Start: at("2023-11-02T11:44:00Z"), End: at("2023-11-02T13:02:00Z"), PeakPerMin: 120,
				Symptoms: []string{"connect", "send-messages", "load"}, AckAt: atp("2023-11-02T12:08:00Z"), AckBy: "discord", Group: "cdn-2023",
			}, Mix: mix},
			{Outage: Outage{
				Service: "shopify", Start: at("2023-11-02T11:45:00Z"), End: at("2023-11-02T13:08:00Z"), PeakPerMin: 35,
				Symptoms: []string{"load", "payments"}, Group: "cdn-2023",
			}, Mix: mix[:5]},
		},
	}
}

func nightOnset() Scenario {
	return Scenario{
		Name: "night-onset",
		Description: "Gmail fails in India at 03:00 IST (21:30 UTC), the quietest hour of the day there: " +
			"a modest peak of ~20/min against a night-time baseline.",
		Seed:     3003,
		Start:    at("2024-03-05T06:00:00Z"),
		Duration: 26 * time.Hour,
		Background: []Background{
			{Service: "gmail", ComplaintsPerMin: 0.8, ChatterPerMin: 4},
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
			{Service: "phonepe", ComplaintsPerMin: 0.3, ChatterPerMin: 2},
		},
		NoisePerMin: 12,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "gmail", Country: "IN", Start: at("2024-03-05T21:30:00Z"), End: at("2024-03-05T22:20:00Z"), PeakPerMin: 20,
			Langs: []string{"en", "hi-Latn", "hi"}, Symptoms: []string{"send-messages", "login", "load"},
		}, Mix: []Region{
			{Country: "IN", Weight: 0.55, Langs: []string{"en"}},
			{Country: "IN", Weight: 0.3, Langs: []string{"hi-Latn"}},
			{Country: "IN", Weight: 0.15, Langs: []string{"hi"}},
		}}},
	}
}

func coldStart() Scenario {
	return Scenario{
		Name: "cold-start",
		Description: "The stream begins only two hours before a Discord outage (peak ~40/min): no history to learn a baseline " +
			"from, the outage must still be found and the first hours must raise no false alarms.",
		Seed:     7007,
		Start:    at("2024-01-20T14:00:00Z"),
		Duration: 8 * time.Hour,
		Background: []Background{
			{Service: "discord", ComplaintsPerMin: 1.5, ChatterPerMin: 10},
			{Service: "youtube", ComplaintsPerMin: 1, ChatterPerMin: 10},
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "discord", Start: at("2024-01-20T16:00:00Z"), End: at("2024-01-20T16:35:00Z"), PeakPerMin: 40,
			Langs: []string{"en", "es", "pt"}, Symptoms: []string{"connect", "send-messages"},
			AckAt: atp("2024-01-20T16:14:00Z"), AckBy: "discord",
		}}},
	}
}

func traps() Scenario {
	day := at("2023-04-18T00:00:00Z")
	h := func(hh float64) time.Time { return day.Add(time.Duration(hh * float64(time.Hour))) }
	return Scenario{
		Name: "traps",
		Description: "A day with no outage at all, only things that look like one to a careless detector: share prices, " +
			"slang, words containing 'down', a spam account, a repost storm, a launch watched live, a product shutting down.",
		Seed:     1313,
		Start:    day,
		Duration: 24 * time.Hour,
		Background: []Background{
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
			{Service: "youtube", ComplaintsPerMin: 1, ChatterPerMin: 6},
			{Service: "facebook", ComplaintsPerMin: 1, ChatterPerMin: 6},
			{Service: "netflix", ComplaintsPerMin: 0.5, ChatterPerMin: 4},
			{Service: "google", ComplaintsPerMin: 0.5, ChatterPerMin: 4},
			{Service: "instagram", ComplaintsPerMin: 1.2, ChatterPerMin: 8},
			{Service: "github", ComplaintsPerMin: 0.3, ChatterPerMin: 3},
		},
		NoisePerMin: 15,
		Traps: []TrapSpec{
			{Kind: TrapSpamAccount, Service: "whatsapp", Start: h(2), End: h(4)},
			{Kind: TrapSlang, Start: h(5), End: h(11)},
			{Kind: TrapRepostStorm, Service: "whatsapp", Start: h(8), End: h(10.5)},
			{Kind: TrapDownWords, Start: h(6), End: h(22)},
			{Kind: TrapShuttingDown, Service: "google", Start: h(12), End: h(15)},
			{Kind: TrapSharePrice, Service: "facebook", Start: h(13.5), End: h(16)},
			{Kind: TrapViralLaunch, Service: "youtube", Start: h(17), End: h(18)},
			{Kind: TrapSharePrice, Service: "netflix", Start: h(20.1), End: h(21.5), PerMin: 12},
		},
	}
}

func latePosts() Scenario {
	return Scenario{
		Name: "late-posts",
		Description: "A moderate Facebook outage (peak ~60/min) where ~30% of all posts arrive 10-45 s late, " +
			"out of event-time order: late posts must be counted in their own minute.",
		Seed:     4545,
		Start:    at("2023-09-12T00:00:00Z"),
		Duration: 14 * time.Hour,
		Background: []Background{
			{Service: "facebook", ComplaintsPerMin: 1.5, ChatterPerMin: 10},
			{Service: "instagram", ComplaintsPerMin: 1.2, ChatterPerMin: 8},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "facebook", Start: at("2023-09-12T08:10:00Z"), End: at("2023-09-12T08:50:00Z"), PeakPerMin: 60,
			Langs: []string{"en", "es", "pt", "ar", "hi"}, Symptoms: []string{"load", "login"},
			AckAt: atp("2023-09-12T08:30:00Z"), AckBy: "Meta",
		}}},
		Late: Lateness{Fraction: 0.3, Min: 10 * time.Second, Max: 45 * time.Second},
	}
}

func multiLingualGlobal() Scenario {
	return Scenario{
		Name: "multi-lingual-global",
		Description: "A worldwide YouTube outage dominated by Spanish, Portuguese, Arabic, Indonesian and Japanese posts, " +
			"with little English: a detector that only reads English sees a fraction of it.",
		Seed:     6006,
		Start:    at("2024-07-03T00:00:00Z"),
		Duration: 24 * time.Hour,
		Background: []Background{
			{Service: "youtube", ComplaintsPerMin: 1.5, ChatterPerMin: 12},
			{Service: "instagram", ComplaintsPerMin: 1.2, ChatterPerMin: 8},
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "youtube", Start: at("2024-07-03T14:20:00Z"), End: at("2024-07-03T15:30:00Z"), PeakPerMin: 150,
			Langs: []string{"es", "pt", "ar", "id", "ja", "en"}, Symptoms: []string{"load", "playback"},
			AckAt: atp("2024-07-03T14:48:00Z"), AckBy: "TeamYouTube",
		}, Mix: []Region{
			{Country: "MX", Weight: 0.14, Langs: []string{"es"}},
			{Country: "ES", Weight: 0.06, Langs: []string{"es"}},
			{Country: "AR", Weight: 0.06, Langs: []string{"es"}},
			{Country: "BR", Weight: 0.22, Langs: []string{"pt"}},
			{Country: "SA", Weight: 0.09, Langs: []string{"ar"}},
			{Country: "EG", Weight: 0.07, Langs: []string{"ar"}},
			{Country: "ID", Weight: 0.15, Langs: []string{"id"}},
			{Country: "JP", Weight: 0.13, Langs: []string{"ja"}},
			{Country: "US", Weight: 0.08, Langs: []string{"en"}},
		}}},
	}
}

func flapping() Scenario {
	return Scenario{
		Name: "flapping",
		Description: "An Instagram outage that fades, almost stops for 3 minutes, comes back for 10 minutes and then ends: " +
			"ground truth is ONE outage from the first start to the final end.",
		Seed:     5115,
		Start:    at("2024-02-08T00:00:00Z"),
		Duration: 20 * time.Hour,
		Background: []Background{
			{Service: "instagram", ComplaintsPerMin: 1.2, ChatterPerMin: 8},
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "instagram", Start: at("2024-02-08T15:00:00Z"), End: at("2024-02-08T15:43:00Z"), PeakPerMin: 50,
			Langs: []string{"en", "pt", "es", "tr"}, Symptoms: []string{"load", "login"},
		}, Sag: 0.5, Dips: []Window{{Start: at("2024-02-08T15:30:00Z"), End: at("2024-02-08T15:33:00Z")}}}},
	}
}

func twoOutages() Scenario {
	return Scenario{
		Name:        "two-outages",
		Description: "GitHub fails twice, four hours apart: two separate outages, two incidents, not one long one.",
		Seed:        2222,
		Start:       at("2024-04-10T00:00:00Z"),
		Duration:    24 * time.Hour,
		Background: []Background{
			{Service: "github", ComplaintsPerMin: 0.4, ChatterPerMin: 4},
			{Service: "discord", ComplaintsPerMin: 1.5, ChatterPerMin: 10},
			{Service: "reddit", ComplaintsPerMin: 0.5, ChatterPerMin: 5},
		},
		NoisePerMin: 12,
		Outages: []OutageSpec{
			{Outage: Outage{
				Service: "github", Start: at("2024-04-10T10:00:00Z"), End: at("2024-04-10T10:40:00Z"), PeakPerMin: 30,
				Langs: []string{"en", "de", "ja", "pt"}, Symptoms: []string{"load", "connect"},
				AckAt: atp("2024-04-10T10:09:00Z"), AckBy: "githubstatus",
			}},
			{Outage: Outage{
				Service: "github", Start: at("2024-04-10T14:40:00Z"), End: at("2024-04-10T15:30:00Z"), PeakPerMin: 45,
				Langs: []string{"en", "de", "ja", "pt"}, Symptoms: []string{"load", "login"},
				AckAt: atp("2024-04-10T14:47:00Z"), AckBy: "githubstatus",
			}},
		},
	}
}

func slowBurn() Scenario {
	return Scenario{
		Name: "slow-burn",
		Description: "Outlook degrades gradually: complaints take 25 minutes to climb to ~30/min instead of a sudden jump, " +
			"so a detector tuned only for sharp bursts is late or misses it.",
		Seed:     3131,
		Start:    at("2024-06-04T00:00:00Z"),
		Duration: 22 * time.Hour,
		Background: []Background{
			{Service: "outlook", ComplaintsPerMin: 0.6, ChatterPerMin: 3},
			{Service: "github", ComplaintsPerMin: 0.4, ChatterPerMin: 4},
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
		},
		NoisePerMin: 12,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "outlook", Start: at("2024-06-04T13:00:00Z"), End: at("2024-06-04T15:10:00Z"), PeakPerMin: 30,
			Langs: []string{"en", "de", "fr"}, Symptoms: []string{"send-messages", "login", "load"},
			AckAt: atp("2024-06-04T13:52:00Z"), AckBy: "MSFT365Status",
		}, Ramp: 25 * time.Minute, Sag: -1}},
	}
}

func concurrentUnrelated() Scenario {
	return Scenario{
		Name: "concurrent-unrelated",
		Description: "WhatsApp fails in Brazil while X fails in Japan at the same time: two concurrent outages " +
			"with no common cause (no group) in different countries and languages.",
		Seed:     1919,
		Start:    at("2024-09-17T00:00:00Z"),
		Duration: 22 * time.Hour,
		Background: []Background{
			{Service: "whatsapp", ComplaintsPerMin: 2, ChatterPerMin: 12},
			{Service: "x", ComplaintsPerMin: 4, ChatterPerMin: 20},
			{Service: "instagram", ComplaintsPerMin: 1.2, ChatterPerMin: 8},
		},
		NoisePerMin: 15,
		Outages: []OutageSpec{
			{Outage: Outage{
				Service: "whatsapp", Country: "BR", Start: at("2024-09-17T13:10:00Z"), End: at("2024-09-17T14:00:00Z"), PeakPerMin: 70,
				Langs: []string{"pt"}, Symptoms: []string{"send-messages", "connect"},
			}},
			{Outage: Outage{
				Service: "x", Country: "JP", Start: at("2024-09-17T13:12:00Z"), End: at("2024-09-17T13:45:00Z"), PeakPerMin: 45,
				Langs: []string{"ja"}, Symptoms: []string{"load"},
			}},
		},
	}
}

// The real-* scenarios below take their backgrounds from the real series the package
// embeds (Shape): complaints follow the series smoothed (daily and weekly cycles, level
// shifts, news days capped at 2.5 times the week's level) with lognormal noise that has a
// 10-minute memory; chatter follows the raw series, news spikes included, and a few
// percent of the chatter in those spikes uses outage words loosely (the news-chatter
// trap). Each maps the stretch of 2015 it uses onto the same weekdays of 2026.

// realShape is the Shape of stretch from (2015, series time) of a series.
func realShape(series, from string) *Shape {
	return &Shape{Series: "Twitter_volume_" + series + ".csv", From: at(from)}
}

// usStorm is where the posts of a storm or power cut in the United States come from.
var usStorm = []Region{
	{Country: "US", Weight: 0.8, Langs: []string{"en"}},
	{Country: "US", Weight: 0.1, Langs: []string{"es"}},
	{Country: "", Weight: 0.1, Langs: []string{"en"}},
}

func realICloudKeynote() Scenario {
	return Scenario{
		Name: "real-icloud-keynote",
		Description: "Five days of iCloud shaped by Apple's mention volume of 7-12 March 2015 (AAPL), the week of the Apple Watch " +
			"keynote: a quiet weekend, then chatter up to twenty times its usual level for hours with jokes and share-price talk " +
			"('is iCloud down? lol no, everyone's watching the keynote'), complaints three times higher for a day and a half, " +
			"a storm's power cut ('texting on iMessage while I wait for the tow truck'), and on Wednesday a sudden worldwide iCloud " +
			"outage at ~150 distinct authors/min.",
		Seed:     7032015,
		Start:    at("2026-03-07T00:00:00Z"),
		Duration: 5 * 24 * time.Hour,
		Background: []Background{
			{Service: "icloud", ComplaintsPerMin: 2, ChatterPerMin: 4, Shape: realShape("AAPL", "2015-03-07T00:00:00Z")},
		},
		NoisePerMin: 4,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "icloud", Start: at("2026-03-11T18:20:00Z"), End: at("2026-03-11T19:25:00Z"), PeakPerMin: 150,
			Langs: []string{"en", "es", "pt", "de", "fr", "ja"}, Symptoms: []string{"login", "send-messages", "load"},
			AckAt: atp("2026-03-11T18:41:00Z"), AckBy: "AppleSupport",
		}, Ramp: time.Minute}},
		Traps: []TrapSpec{
			{Kind: TrapNewsJokes, Service: "icloud", Start: at("2026-03-09T16:55:00Z"), End: at("2026-03-09T19:30:00Z"), PerMin: 12,
				Note: "the Apple Watch keynote: jokes, share-price talk and 'is it down? no' while chatter is twenty times its usual level"},
			{Kind: TrapOtherSubject, Service: "icloud", Start: at("2026-03-10T23:30:00Z"), End: at("2026-03-11T02:00:00Z"), PerMin: 18, Mix: usStorm,
				Note: "a storm takes the power down on the US east coast: people post about the outage of their power, on iMessage and FaceTime"},
		},
	}
}

func realGmailWeeklyLow() Scenario {
	return Scenario{
		Name: "real-gmail-weekly-low",
		Description: "Five days of Gmail shaped by Google's mention volume of 19-24 March 2015 (GOOG), with its deep weekend trough: " +
			"complaints at a third of the weekday level on Sunday morning, when a modest Gmail outage (~12/min) starts at 07:10 UTC, " +
			"the quietest hour of the week; a power cut in Germany on Monday ('Stromausfall, zum Glück geht Gmail noch').",
		Seed:     19032015,
		Start:    at("2026-03-19T00:00:00Z"),
		Duration: 5 * 24 * time.Hour,
		Background: []Background{
			{Service: "gmail", ComplaintsPerMin: 1.5, ChatterPerMin: 4, Shape: realShape("GOOG", "2015-03-19T00:00:00Z")},
		},
		NoisePerMin: 4,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "gmail", Start: at("2026-03-22T07:10:00Z"), End: at("2026-03-22T07:50:00Z"), PeakPerMin: 12,
			Langs: []string{"en", "es", "pt", "de"}, Symptoms: []string{"send-messages", "receive-messages", "load"},
		}}},
		Traps: []TrapSpec{
			{Kind: TrapOtherSubject, Service: "gmail", Start: at("2026-03-23T07:30:00Z"), End: at("2026-03-23T09:30:00Z"), PerMin: 15,
				Mix:  []Region{{Country: "DE", Weight: 0.8, Langs: []string{"de"}}, {Country: "DE", Weight: 0.2, Langs: []string{"en"}}},
				Note: "a power cut in a German city on Monday morning: posts about the power, naming Gmail"},
			{Kind: TrapSharePrice, Service: "gmail", Start: at("2026-03-23T13:30:00Z"), End: at("2026-03-23T16:00:00Z"), PerMin: 6},
		},
	}
}

func realSpotifySlowBurn() Scenario {
	return Scenario{
		Name: "real-spotify-slow-burn",
		Description: "Five days of Spotify shaped by Coca-Cola's mention volume of 30 March to 4 April 2015 (KO), with its heavy-tailed " +
			"bursts of chatter; a price rise announced on Tuesday draws jokes ('my wallet is down bad'); on Wednesday Spotify degrades " +
			"slowly, taking 25 minutes to climb to ~60/min; a storm knocks the power out in Texas on Thursday night.",
		Seed:     30032015,
		Start:    at("2026-03-30T00:00:00Z"),
		Duration: 5 * 24 * time.Hour,
		Background: []Background{
			{Service: "spotify", ComplaintsPerMin: 1.5, ChatterPerMin: 4, Shape: realShape("KO", "2015-03-30T00:00:00Z")},
		},
		NoisePerMin: 4,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "spotify", Start: at("2026-04-01T15:00:00Z"), End: at("2026-04-01T17:10:00Z"), PeakPerMin: 90,
			Langs: []string{"en", "es", "pt", "de", "fr"}, Symptoms: []string{"playback", "load", "login"},
			AckAt: atp("2026-04-01T15:40:00Z"), AckBy: "SpotifyCares",
		}, Ramp: 25 * time.Minute, Sag: -1}},
		Traps: []TrapSpec{
			{Kind: TrapNewsJokes, Service: "spotify", Start: at("2026-03-31T14:00:00Z"), End: at("2026-03-31T16:30:00Z"), PerMin: 10,
				Note: "Spotify announces a price rise: jokes and share-price talk with outage words, nothing broken"},
			{Kind: TrapOtherSubject, Service: "spotify", Start: at("2026-04-03T01:00:00Z"), End: at("2026-04-03T03:30:00Z"), PerMin: 18, Mix: usStorm,
				Note: "a storm knocks the power out across Texas at night: posts about the power, naming Spotify"},
		},
	}
}

func realSignalSmall() Scenario {
	return Scenario{
		Name: "real-signal-small",
		Description: "Four days of Signal, a small service with a few complaints a day, shaped by CVS's sparse mention volume of " +
			"23-27 March 2015, whose chatter has a news spike a hundred times its usual level (with a few loose 'is Signal down? lol " +
			"no' posts); WhatsApp's ordinary traffic beside it; on Thursday Signal fails for 25 minutes at ~8 distinct authors/min.",
		Seed:     23032015,
		Start:    at("2026-03-23T00:00:00Z"),
		Duration: 4 * 24 * time.Hour,
		Background: []Background{
			{Service: "signal", ComplaintsPerMin: 4.0 / 1440, ChatterPerMin: 0.5, Shape: realShape("CVS", "2015-03-23T00:00:00Z")},
			{Service: "whatsapp", ComplaintsPerMin: 1, ChatterPerMin: 4},
		},
		NoisePerMin: 4,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "signal", Start: at("2026-03-26T16:40:00Z"), End: at("2026-03-26T17:05:00Z"), PeakPerMin: 8,
			Langs: []string{"en", "de", "fr", "es"}, Symptoms: []string{"send-messages", "connect"},
			AckAt: atp("2026-03-26T16:58:00Z"), AckBy: "signalapp",
		}}},
		Traps: []TrapSpec{
			{Kind: TrapOtherSubject, Service: "whatsapp", Start: at("2026-03-24T14:00:00Z"), End: at("2026-03-24T16:00:00Z"), PerMin: 15,
				Mix: []Region{
					{Country: "IN", Weight: 0.5, Langs: []string{"hi-Latn", "en", "hi"}},
					{Country: "BR", Weight: 0.3, Langs: []string{"pt"}},
					{Country: "", Weight: 0.2, Langs: []string{"en"}},
				},
				Note: "power cuts in Mumbai and São Paulo on the same afternoon: posts about the power, still on WhatsApp"},
		},
	}
}

func realNetflixLevelShift() Scenario {
	return Scenario{
		Name: "real-netflix-level-shift",
		Description: "Five days of Netflix shaped by UPS's mention volume of 4-9 March 2015, whose chatter has half-hour bursts " +
			"a hundred times its usual level; on Thursday evening a hit series premieres and the audience stays 2.5 times larger " +
			"(a level shift: a new normal, not an outage, to be learnt within 3 hours) amid jokes ('is Netflix down? no, everyone's " +
			"watching'); a Netflix outage on Friday night (~40/min) against the new normal; on Sunday the wifi or the power is " +
			"down for many in the UK ('wifi's down so no Netflix tonight').",
		Seed:     4032015,
		Start:    at("2026-03-04T00:00:00Z"),
		Duration: 5 * 24 * time.Hour,
		Background: []Background{{
			Service: "netflix", ComplaintsPerMin: 1, ChatterPerMin: 1, Shape: realShape("UPS", "2015-03-04T00:00:00Z"),
			Shifts: []LevelShift{{At: at("2026-03-05T20:00:00Z"), Factor: 2.5, Ramp: 20 * time.Minute,
				Note: "a hit series premieres: complaints and chatter stay 2.5 times higher"}},
		}},
		NoisePerMin: 4,
		Outages: []OutageSpec{{Outage: Outage{
			Service: "netflix", Start: at("2026-03-07T02:10:00Z"), End: at("2026-03-07T02:55:00Z"), PeakPerMin: 40,
			Langs: []string{"en", "es", "pt"}, Symptoms: []string{"playback", "load", "login"},
			AckAt: atp("2026-03-07T02:31:00Z"), AckBy: "Netflixhelps",
		}}},
		Traps: []TrapSpec{
			{Kind: TrapNewsJokes, Service: "netflix", Start: at("2026-03-05T20:00:00Z"), End: at("2026-03-05T22:30:00Z"), PerMin: 12,
				Note: "the premiere: jokes and 'is it down? no, everyone is watching'"},
			{Kind: TrapOtherSubject, Service: "netflix", Start: at("2026-03-08T18:00:00Z"), End: at("2026-03-08T20:30:00Z"), PerMin: 20,
				Mix:  []Region{{Country: "GB", Weight: 0.9, Langs: []string{"en"}}, {Country: "", Weight: 0.1, Langs: []string{"en"}}},
				Note: "broadband and power cuts in the UK on a Sunday evening: posts about the wifi and the power, naming Netflix"},
		},
	}
}
