package challenge

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// widgetBundle is the shipped widget, installed by scripts/update-altcha.sh.
var widgetBundle = filepath.Join("..", "web", "static", "altcha.min.js")

// TestWidgetSolves proves compatibility with the real widget: a challenge
// issued here is solved by the worker code inside the shipped bundle
// (testdata/widget-solve.mjs runs it under Node), and the payload, built as
// the widget builds it, verifies here. The script also writes the
// parameters as altcha-lib's canonicalJSON does, which must be the bytes
// signed here.
//
// It needs Node; without it the test skips, unless CI is set.
func TestWidgetSolves(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set, but node is not installed: %v", err)
		}
		t.Skipf("skipping the widget test: node is not installed (%v)", err)
	}
	if _, err := os.Stat(widgetBundle); err != nil {
		t.Fatalf("the widget is missing (run scripts/update-altcha.sh): %v", err)
	}

	// The default cost, so the widget's work is the real work.
	clk := &clock{t: time.Now()}
	iss, err := New(Config{Key: testKey, Now: clk.Now}, newMemStore(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := iss.Challenge()
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(map[string]any{"challenge": ch, "sigKey": hex.EncodeToString(iss.sigKey), "workers": 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "widget-solve.mjs"), widgetBundle)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	var res struct {
		Payload   string
		Solution  struct{ Counter int }
		Canonical string
		Signature string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	t.Logf("the widget's worker code found counter %d in %v (Node, 2 workers, cost %+v)",
		res.Solution.Counter, time.Since(start).Round(time.Millisecond), DefaultCost)

	if got, want := res.Canonical, string(ch.Parameters.canonical()); got != want {
		t.Errorf("JavaScript canonical form\n%s\nGo's\n%s", got, want)
	}
	if res.Signature != ch.Signature {
		t.Errorf("HMAC in JavaScript %s, issued %s", res.Signature, ch.Signature)
	}
	if err := iss.Verify(context.Background(), res.Payload); err != nil {
		t.Fatalf("Verify of the widget's payload: %v", err)
	}
	if err := iss.Verify(context.Background(), res.Payload); err == nil {
		t.Error("the widget's payload verified twice")
	}
}
