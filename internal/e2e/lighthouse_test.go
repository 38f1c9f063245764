package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// lighthouseTimeout bounds one Lighthouse run: it starts its own Chromium,
// loads the page as a phone and audits it, about ten seconds here.
const lighthouseTimeout = 60 * time.Second

// slowCPUWarning matches Lighthouse's warning that the machine measured
// slower than it expects, the only run warning not about the page.
var slowCPUWarning = regexp.MustCompile(`(?i)slower CPU than\s+Lighthouse expects`)

// lighthouseReport is the part of Lighthouse's JSON report the test reads.
type lighthouseReport struct {
	Version      string `json:"lighthouseVersion"`
	RuntimeError *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"runtimeError"`
	RunWarnings []string `json:"runWarnings"`
	Categories  map[string]struct {
		Score     *float64 `json:"score"`
		AuditRefs []struct {
			ID     string  `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"auditRefs"`
	} `json:"categories"`
	Audits map[string]struct {
		Title string   `json:"title"`
		Score *float64 `json:"score"`
	} `json:"audits"`
}

// TestLighthouseRightToLeft runs Lighthouse's accessibility and SEO audits,
// with Debian's Chromium, on a story of the demo's Persian edition and on
// the edition's front page, against the real server (the story with a
// discussion, its comment and subscribe forms): each must score 100
// in both. A lower score names the audits that failed.
func TestLighthouseRightToLeft(t *testing.T) {
	requireChromium(t)
	node, cli, why := lighthouse(t)
	if why != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("Lighthouse cannot run in CI: %s", why)
		}
		t.Skipf("Lighthouse is not installed (%s); scripts/test-deps.sh installs it", why)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*lighthouseTimeout+30*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	persianDiscussion(t, ctx, db)
	for _, path := range []string{persianLead, persianFront} {
		start := time.Now()
		r := runLighthouse(t, ctx, node, cli, dir, ts.URL+path)
		for _, name := range []string{"accessibility", "seo"} {
			c, ok := r.Categories[name]
			switch {
			case !ok || c.Score == nil:
				t.Errorf("%s: Lighthouse gave no %s score", path, name)
			case *c.Score != 1:
				var failed []string
				for _, ref := range c.AuditRefs {
					if a := r.Audits[ref.ID]; a.Score != nil && *a.Score < 1 && ref.Weight > 0 {
						failed = append(failed, fmt.Sprintf("%s (%s)", ref.ID, a.Title))
					}
				}
				t.Errorf("%s: Lighthouse %s score %.0f, want 100; failed: %s", path, name, 100**c.Score, strings.Join(failed, ", "))
			default:
				t.Logf("%s: Lighthouse %s %s score 100 (%d audits)", path, r.Version, name, len(c.AuditRefs))
			}
		}
		t.Logf("%s: audited in %v", path, time.Since(start).Round(100*time.Millisecond))
	}
}

// runLighthouse audits url's accessibility and SEO as a phone, in a
// Chromium started by Lighthouse with its profile under dir.
func runLighthouse(t *testing.T, ctx context.Context, node, cli, dir, url string) lighthouseReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, lighthouseTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, cli, url,
		"--only-categories=accessibility,seo", "--output=json", "--output-path=stdout", "--quiet",
		"--disable-full-page-screenshot",
		"--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking")
	// Lighthouse finds the browser by CHROME_PATH, and makes its profile
	// in the temporary directory, removed with the test's.
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chromiumPath, "TMPDIR="+dir)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("Lighthouse on %s took longer than %v: %s", url, lighthouseTimeout, stderr.String())
	}
	if err != nil {
		t.Fatalf("Lighthouse on %s: %v\n%s", url, err, stderr.String())
	}
	var r lighthouseReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("Lighthouse on %s: unreadable report: %v\n%.500s", url, err, stdout.String())
	}
	if r.RuntimeError != nil {
		t.Fatalf("Lighthouse on %s: %s: %s", url, r.RuntimeError.Code, r.RuntimeError.Message)
	}
	for _, w := range r.RunWarnings {
		if slowCPUWarning.MatchString(w) {
			// Lighthouse times the machine before each run; a busy machine
			// reads as a slow one. That affects only performance scores,
			// which this audit does not ask for.
			t.Logf("Lighthouse on %s warns: %s", url, w)
			continue
		}
		t.Errorf("Lighthouse on %s warns: %s", url, w)
	}
	return r
}

// lighthouse finds node and Lighthouse's command line, installed by
// scripts/test-deps.sh at the version pinned there; why says what is
// missing.
func lighthouse(t *testing.T) (node, cli, why string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "", "no node on PATH"
	}
	script, err := os.ReadFile("../../scripts/test-deps.sh")
	if err != nil {
		t.Fatalf("read the pinned Lighthouse version: %v", err)
	}
	m := regexp.MustCompile(`(?m)^lighthouse_version=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/test-deps.sh pins no lighthouse_version")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", "", err.Error()
	}
	cli = filepath.Join(cache, "broadsheet", "lighthouse-"+string(m[1]), "node_modules", "lighthouse", "cli", "index.js")
	if _, err := os.Stat(cli); err != nil {
		return "", "", "no " + cli
	}
	return node, cli, ""
}

// TestSlowCPUWarning checks that only Lighthouse's warning about the
// machine's speed is let through, worded as Lighthouse 12 words it.
func TestSlowCPUWarning(t *testing.T) {
	for w, want := range map[string]bool{
		"The tested device appears to have a slower CPU than  Lighthouse expects. This can negatively affect your performance score.": true,
		"The page loaded too slowly to finish within the time limit. Results may be incomplete.":                                      false,
		"There may be stored data affecting loading performance in this location: IndexedDB.":                                         false,
	} {
		if got := slowCPUWarning.MatchString(w); got != want {
			t.Errorf("slowCPUWarning.MatchString(%q) = %v, want %v", w, got, want)
		}
	}
}
