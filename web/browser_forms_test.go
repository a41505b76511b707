package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/downwatch/downwatch"
)

// TestBrowserForms drives the incident page's action form and the silences
// page's forms in headless Chromium, as a person would.
func TestBrowserForms(t *testing.T) {
	bin := chromium(t)
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.NoFirstRun, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()

	id := "instagram.20221025T0709Z"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hs.URL+"/incidents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`form.act-form`)),
		chromedp.SetValue(chromedp.CSS(`form.act-form select[name=action]`), "acknowledge"),
		chromedp.SendKeys(chromedp.CSS(`form.act-form input[name=by]`), "ana"),
		chromedp.SendKeys(chromedp.CSS(`form.act-form input[name=note]`), "paging Meta"),
		chromedp.Click(chromedp.CSS(`form.act-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.actions`)),
	); err != nil {
		t.Fatalf("acknowledging through the form: %v", err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.notice`)))
	if err != nil || !strings.Contains(notice, "Acknowledged by ana") || !strings.Contains(notice, "paging Meta") {
		t.Errorf("after the form the page says %q (%v), want ana's acknowledgement", notice, err)
	}
	inc, err := st.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if inc.OperatorAck == nil || inc.OperatorAck.By != "ana" || inc.Revision != 7 {
		t.Errorf("stored: operator_ack %+v revision %d, want ana's at 7", inc.OperatorAck, inc.Revision)
	}
	// The form remembers the name; the next action is a false alarm.
	by, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('form.act-form input[name=by]').value`))
	if by != "ana" {
		t.Errorf("the form's name field holds %q the second time, want ana", by)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`form.act-form select[name=action]`), "false-alarm"),
		chromedp.SendKeys(chromedp.CSS(`form.act-form input[name=note]`), "a football match"),
		chromedp.Click(chromedp.CSS(`form.act-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.actions li:nth-child(2)`)),
	); err != nil {
		t.Fatalf("false alarm through the form: %v", err)
	}
	if inc, _ = st.Incident(ctx, id); inc.FalseAlarm == nil || inc.State != downwatch.StateResolved {
		t.Errorf("stored after the false alarm: state %s false_alarm %+v", inc.State, inc.FalseAlarm)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(hs.URL+"/silences"),
		chromedp.WaitVisible(chromedp.CSS(`form.act-form textarea[name=match]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=match]`), "service=gmail"),
		chromedp.SetValue(chromedp.CSS(`input[name=duration]`), "90m"),
		chromedp.SendKeys(chromedp.CSS(`input[name=comment]`), "mail migration"),
		chromedp.Click(chromedp.CSS(`form.act-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.silences tr.silence-active`)),
	); err != nil {
		t.Fatalf("adding a silence through the form: %v", err)
	}
	row, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table.silences tr.silence-active`)))
	if !strings.Contains(row, "service=gmail") || !strings.Contains(row, "ana") || !strings.Contains(row, "mail migration") {
		t.Errorf("silence row %q, want gmail's silence by ana", row)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`tr.silence-active button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.silences tr.silence-expired`)),
	); err != nil {
		t.Fatalf("expiring the silence through the form: %v", err)
	}
	if ss, _ := st.Silences(ctx, time.Now(), false); len(ss) != 0 {
		t.Errorf("after Expire now: %d current silences, want none", len(ss))
	}
}
