package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every shell example of docs/api.md runs as written, in order, against a
// fresh `broadsheet serve --demo` — the binary, on its own data directory —
// and answers as the document says: the status and headers of an
// `HTTP/1.1 …` block after it, the code and message of an error it shows,
// an answer it shows, nested objects and lists too (all of what is shown
// whole, the part shown of what is shortened with …). Variables an example exports (BASE,
// TOKEN) carry over to the next, as in a terminal. Two things differ
// from a reader's terminal: the site listens on a free port instead of
// 127.0.0.1:8080, and `broadsheet user add`, which asks for a password at
// a prompt, reads it from standard input.
func TestAPIDocsExamplesRun(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not on PATH: cannot build the binary")
		}
		t.Skip("go is not on PATH: cannot build the binary")
	}
	for _, tool := range []string{"curl", "sh", "env", "date"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: scripts/test-deps.sh installs it", tool)
			}
			t.Skipf("%s is not installed (scripts/test-deps.sh installs it)", tool)
		}
	}
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := shellExamples(string(doc))
	if len(examples) < 20 {
		t.Fatalf("docs/api.md has %d shell examples; the parser lost some", len(examples))
	}

	dir := t.TempDir()
	binDir := filepath.Join(dir, "bin")
	if out, err := exec.Command(goTool, "build", "-o", filepath.Join(binDir, "broadsheet"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	addr := freeLoopbackAddr(t)
	base := "http://" + addr
	p := startBroadsheet(t, filepath.Join(binDir, "broadsheet"), []string{"serve", "--demo", "--data", data, "--addr", addr,
		"--base-url", "https://courier.example", "--log-level", "warn"})
	waitServing(t, p, base, 90*time.Second)

	// curl reports each answer's status and headers after its body.
	curlHome := filepath.Join(dir, "curl")
	if err := os.MkdirAll(curlHome, 0o700); err != nil {
		t.Fatal(err)
	}
	curlrc := "silent\nshow-error\nwrite-out = \"\\n@@@curl %{http_code} %{header_json}@@@\\n\"\n"
	if err := os.WriteFile(filepath.Join(curlHome, ".curlrc"), []byte(curlrc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	delete(env, "BASE")
	delete(env, "TOKEN")
	env["PATH"] = binDir + string(os.PathListSeparator) + env["PATH"]
	env["BROADSHEET_DATA"] = data
	env["CURL_HOME"] = curlHome
	env["XDG_CONFIG_HOME"] = curlHome

	for i, ex := range examples {
		name := fmt.Sprintf("example %d (docs/api.md line %d)", i+1, ex.line)
		script, stdin := ex.code, ""
		script = strings.ReplaceAll(script, "http://127.0.0.1:8080", base)
		if m := regexp.MustCompile(`(?m)^broadsheet user add .*$`).FindString(script); m != "" && !strings.Contains(m, "--password-stdin") {
			script = strings.Replace(script, m, m+" --password-stdin", 1)
			stdin = "tide tables and quay lights\n"
		}
		stdout, after := runExample(t, name, script, stdin, env)
		env = after
		answers := parseAnswers(t, name, stdout)
		if strings.Contains(ex.code, "curl ") && len(answers) == 0 {
			t.Fatalf("%s: curl answered nothing:\n%s\n%s", name, ex.code, stdout)
		}
		for _, a := range answers {
			ex.want.check(t, name+"\n"+ex.code, a)
		}
	}
	if env["TOKEN"] == "" || env["BASE"] != base {
		t.Errorf("the examples set TOKEN=%q and BASE=%q; want a token and %s", env["TOKEN"], env["BASE"], base)
	}
	select {
	case <-p.exited:
		t.Fatalf("the server exited during the examples: %v\n%s", p.err, p.log.String())
	default:
	}
}

// example is one fenced sh block of the document and what the blocks
// right after it say it answers.
type example struct {
	line int
	code string
	want expectation
}

type expectation struct {
	status   int               // 0: any 2xx
	headers  map[string]string // from an HTTP/1.1 block
	code     string            // an error's code
	message  string            // an error's message, unless shortened with …
	problems map[string]any    // an error's fields, as shown
	fields   map[string]any    // a shown answer, compared as differences says
}

var fence = regexp.MustCompile("^( *)```(\\w*)\\s*$")

// shellExamples reads every ```sh block of a Markdown document (indented
// ones in lists too) with the blocks that follow it with nothing else
// between.
func shellExamples(doc string) []example {
	type block struct {
		line       int
		lang, code string
		end        int // line after the closing fence
	}
	var blocks []block
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		b := block{line: i + 1, lang: m[2]}
		var code []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			code = append(code, strings.TrimPrefix(lines[i], m[1]))
		}
		b.code, b.end = strings.Join(code, "\n"), i+1
		blocks = append(blocks, b)
	}
	var out []example
	for i, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		ex := example{line: b.line, code: b.code}
		for j, prev := i+1, b; j < len(blocks) && blocks[j].lang != "sh"; prev, j = blocks[j], j+1 {
			if strings.TrimSpace(strings.Join(lines[prev.end:blocks[j].line-1], "")) != "" {
				break // prose between: not this example's answer
			}
			ex.want.read(blocks[j].lang, blocks[j].code)
		}
		out = append(out, ex)
	}
	return out
}

var errorStatus = map[string]int{"bad_request": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404,
	"method_not_allowed": 405, "conflict": 409, "too_large": 413, "unsupported_media_type": 415, "invalid": 422,
	"check_expired": 422, "check_failed": 422, "rate_limited": 429}

func (w *expectation) read(lang, code string) {
	switch lang {
	case "":
		lines := strings.Split(strings.TrimSpace(code), "\n")
		m := regexp.MustCompile(`^HTTP/[\d.]+ (\d{3})`).FindStringSubmatch(lines[0])
		if m == nil {
			return
		}
		w.status, _ = strconv.Atoi(m[1])
		w.headers = map[string]string{}
		for _, l := range lines[1:] {
			if k, v, ok := strings.Cut(l, ":"); ok {
				w.headers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	case "json":
		var obj map[string]any
		if json.Unmarshal([]byte(code), &obj) != nil {
			return
		}
		if e, ok := obj["error"].(map[string]any); ok {
			w.code, _ = e["code"].(string)
			w.status = errorStatus[w.code]
			if msg, _ := e["message"].(string); !strings.Contains(msg, "…") {
				w.message = msg
			}
			w.problems, _ = e["fields"].(map[string]any)
			return
		}
		w.fields = obj
	}
}

// answer is one HTTP answer curl reported.
type answer struct {
	status  int
	headers map[string][]string
	body    string
}

var curlReport = regexp.MustCompile(`(?s)\n@@@curl (\d{3}) (\{.*?\})@@@\n`)

func parseAnswers(t *testing.T, name, stdout string) []answer {
	t.Helper()
	var out []answer
	rest := stdout
	for {
		loc := curlReport.FindStringSubmatchIndex(rest)
		if loc == nil {
			return out
		}
		a := answer{body: rest[:loc[0]]}
		a.status, _ = strconv.Atoi(rest[loc[2]:loc[3]])
		if err := json.Unmarshal([]byte(rest[loc[4]:loc[5]]), &a.headers); err != nil {
			t.Fatalf("%s: curl's headers: %v", name, err)
		}
		// An example run with -i prints the headers before the body.
		if strings.HasPrefix(a.body, "HTTP/") {
			if _, body, ok := strings.Cut(a.body, "\r\n\r\n"); ok {
				a.body = body
			}
		}
		out = append(out, a)
		rest = rest[loc[1]:]
	}
}

var cursorPattern = regexp.MustCompile(`^\d+-\d+$`)

func (w expectation) check(t *testing.T, name string, a answer) {
	t.Helper()
	if w.status != 0 && a.status != w.status || w.status == 0 && (a.status < 200 || a.status > 299) {
		t.Errorf("%s\nstatus %d, the document says %d (0: any success):\n%s", name, a.status, w.status, a.body)
		return
	}
	for k, v := range w.headers {
		if got := a.headers[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s\n%s: %v, the document says %q", name, k, got, v)
		}
	}
	if w.code == "" && w.fields == nil {
		return
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(a.body), &got); err != nil {
		t.Errorf("%s\nthe answer is not a JSON object: %v\n%s", name, err, a.body)
		return
	}
	if w.code != "" {
		e, _ := got["error"].(map[string]any)
		if e["code"] != w.code || w.message != "" && e["message"] != w.message {
			t.Errorf("%s\nerror %v: %v, the document says %s: %q", name, e["code"], e["message"], w.code, w.message)
		}
		if w.problems != nil {
			for _, d := range differences(".error.fields", e["fields"], w.problems) {
				t.Errorf("%s\n%s", name, d)
			}
		}
		return
	}
	for _, d := range differences("", got, w.fields) {
		t.Errorf("%s\n%s", name, d)
	}
}

// elided is the mark docs/api.md shortens a value with.
const elided = "…"

// differences says where got differs from want, an answer as docs/api.md
// shows it. An object with a "…" key is shown in part: only the members
// shown are compared; without one it is shown whole, and its members must
// be exactly those. A list whose last item is "…" is shown in part: its
// first items are compared; without one, every item. A string with … in
// it, a time or a cursor varies from run to run and is not compared.
func differences(path string, got, want any) []string {
	switch want := want.(type) {
	case map[string]any:
		obj, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %s, the document shows an object", where(path), show(got))}
		}
		var out []string
		_, partial := want[elided]
		for _, k := range sortedKeys(want) {
			if k == elided {
				continue
			}
			v, ok := obj[k]
			if !ok {
				out = append(out, fmt.Sprintf("the answer has no %s", where(path+"."+k)))
				continue
			}
			out = append(out, differences(path+"."+k, v, want[k])...)
		}
		if !partial {
			for _, k := range sortedKeys(obj) {
				if _, shown := want[k]; !shown {
					out = append(out, fmt.Sprintf("the answer has %s, which the document, showing %s whole, lacks", where(path+"."+k), where(path)))
				}
			}
		}
		return out
	case []any:
		list, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %s, the document shows a list", where(path), show(got))}
		}
		shown := want
		partial := len(want) > 0 && want[len(want)-1] == elided
		if partial {
			shown = want[:len(want)-1]
		}
		if partial && len(list) < len(shown) {
			return []string{fmt.Sprintf("%s has %d items, the document shows %d and more", where(path), len(list), len(shown))}
		}
		if !partial && len(list) != len(shown) {
			return []string{fmt.Sprintf("%s has %d items, the document shows %d", where(path), len(list), len(shown))}
		}
		var out []string
		for i := range shown {
			out = append(out, differences(fmt.Sprintf("%s[%d]", path, i), list[i], shown[i])...)
		}
		return out
	case string:
		if _, err := time.Parse(time.RFC3339, want); err == nil || strings.Contains(want, elided) || cursorPattern.MatchString(want) {
			return nil // a time, a cursor or a shortened value: they vary
		}
	case float64:
		if want >= 1e9 && want < 4e9 {
			return nil // a time in Unix seconds (2001–2096): it varies
		}
	}
	if !reflect.DeepEqual(got, want) {
		return []string{fmt.Sprintf("%s = %s, the document says %s", where(path), show(got), show(want))}
	}
	return nil
}

func where(path string) string {
	if path == "" {
		return "the answer"
	}
	return strings.TrimPrefix(path, ".")
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// runExample runs one example with the shell, stopping at the first
// failing command, and returns its output and the environment it leaves.
func runExample(t *testing.T, name, script, stdin string, env map[string]string) (string, map[string]string) {
	t.Helper()
	state := filepath.Join(t.TempDir(), "env")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "set -e\n"+script+"\nenv -0 > \"$EXAMPLE_ENV\"")
	cmd.Env = []string{"EXAMPLE_ENV=" + state}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s\nstdout:\n%s\nstderr:\n%s", name, err, script, stdout.String(), stderr.String())
	}
	raw, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]string{}
	for _, kv := range strings.Split(string(raw), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "EXAMPLE_ENV" && k != "PWD" && k != "OLDPWD" && k != "SHLVL" && k != "_" {
			after[k] = v
		}
	}
	return stdout.String(), after
}

// waitServing waits until the site answers its health check.
func waitServing(t testing.TB, p *broadsheetProcess, base string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if resp, err := client.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("serve exited (%v):\n%s", p.err, p.log.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer within %s:\n%s", timeout, p.log.String())
		}
	}
}
