package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

// The rich editor's parts the tests use.
const (
	selRichReady    = `#body-field[data-rich="ready"]`
	selRichText     = `#body-field .rich-text`
	selRichPane     = `#body-field .rich-pane`
	selModeRich     = `#body-field .editor-modes .mode-rich`
	selModeMarkdown = `#body-field .editor-modes .mode-markdown`
	selRichDialog   = `dialog.rich-dialog[open]`
)

// richDemoSlug is the demo story whose body the round trip starts from.
const richDemoSlug = "storm-hesper-saltings-sea-wall-floods"

// watchPage records, in the page, every CSP violation, and in the test
// every console error or warning: the editor must cause neither.
type consoleLog struct{ problems *pageProblems }

func (c consoleLog) listen(ev any) {
	if e, ok := ev.(*runtime.EventConsoleAPICalled); ok && (e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning) {
		var parts []string
		for _, a := range e.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		c.problems.mu.Lock()
		c.problems.problems = append(c.problems.problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " ")))
		c.problems.mu.Unlock()
	}
}

// cspWatchJS runs before any script of each page.
const cspWatchJS = `window.__csp = []; document.addEventListener("securitypolicyviolation",
  e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || "")));`

// richSession is a browser signed in to the newsroom of the demo site.
type richSession struct {
	t        *testing.T
	base     string
	ctx      context.Context
	problems *pageProblems
}

func startRichSession(t *testing.T) (*richSession, *article.Article, func(context.Context, int64) *article.Article) {
	requireChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 170*time.Second)
	t.Cleanup(cancel)
	db, ts := startSite(t, ctx, dir)
	editor := createNewsroomUser(t, ctx, db, "editor@courier.example", "Eda Editor", account.Editor)
	bctx, problems, _ := startNewsroomBrowser(t, ctx, dir)
	if err := chromedp.Listen(bctx, consoleLog{problems}.listen); err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	if _, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatchJS}); err != nil {
		t.Fatalf("watch for CSP violations: %v", err)
	}
	signIn(t, bctx, ts.URL, editor)

	body, err := os.ReadFile(filepath.Join("testdata", "editor", "roundtrip.md"))
	if err != nil {
		t.Fatalf("read the round-trip article: %v", err)
	}
	a, err := db.ArticleBySlug(ctx, richDemoSlug)
	if err != nil {
		t.Fatalf("find %s: %v", richDemoSlug, err)
	}
	a.Body, a.Version = string(body), 0
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Fatalf("give %s the round-trip body: %v", richDemoSlug, err)
	}
	load := func(ctx context.Context, id int64) *article.Article {
		got, err := db.ArticleByID(ctx, id)
		if err != nil {
			t.Fatalf("read article %d: %v", id, err)
		}
		return got
	}
	return &richSession{t: t, base: ts.URL, ctx: bctx, problems: problems}, a, load
}

// open loads a newsroom page with the editor and waits for the rich view.
func (s *richSession) open(path string) {
	s.t.Helper()
	resp, err := chromedp.Run(s.ctx, chromedp.NavigateResponse(s.base+path))
	if err != nil {
		s.t.Fatalf("open %s: %v", path, err)
	}
	expectPage(s.t, s.ctx, resp, http.StatusOK, "")
	if err := chromedp.Do(s.ctx, chromedp.WaitReady(chromedp.CSS(selRichReady))); err != nil {
		s.t.Fatalf("%s: the rich editor did not start: %v", path, err)
	}
}

func (s *richSession) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, actions...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// markdown is what the form would send as the body now.
func (s *richSession) markdown() string {
	s.t.Helper()
	return evaluate[string](s.t, s.ctx, `new FormData(document.getElementById("editor")).get("body").replace(/\r\n/g, "\n")`)
}

func (s *richSession) textarea() string {
	s.t.Helper()
	return evaluate[string](s.t, s.ctx, `document.getElementById("body").value`)
}

func (s *richSession) click(sel string) {
	s.t.Helper()
	s.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// button clicks the rich toolbar's button for cmd.
func (s *richSession) button(cmd string) {
	s.t.Helper()
	s.click(fmt.Sprintf(`#body-field .rich-toolbar button[data-cmd=%q]`, cmd))
}

func (s *richSession) keys(text string, mods ...chromedp.Modifier) {
	s.t.Helper()
	s.do(fmt.Sprintf("type %q", text), chromedp.KeyEvent(text, chromedp.KeyModifiers(mods...)))
}

// press presses Enter or Tab as a keyboard does: a key down that the
// editor handles, and no separate character event (chromedp's KeyEvent
// sends one, which a contenteditable takes as a second keystroke).
func (s *richSession) press(key string, mods ...chromedp.Modifier) {
	s.t.Helper()
	code := map[string]int64{"Enter": 13, "Tab": 9}[key]
	var m int64
	for _, x := range mods {
		m |= int64(x)
	}
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: key, Code: key, WindowsVirtualKeyCode: code, NativeVirtualKeyCode: code, Modifiers: m}
		if _, err := chromedp.Call(s.ctx, input.DispatchKeyEvent, p); err != nil {
			s.t.Fatalf("press %s: %v", key, err)
		}
	}
}

// await runs js, which returns a promise, to its end.
func (s *richSession) await(js string) {
	s.t.Helper()
	if _, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise)); err != nil {
		s.t.Fatalf("run in the page: %v", err)
	}
}

// pick empties the body, opens the media library, picks the items
// (selectors inside the dialog), as a gallery or not, and inserts them.
func (s *richSession) pick(gallery bool, items ...string) {
	s.t.Helper()
	s.reset("")
	s.click(selRichText)
	s.button("library")
	s.do("wait for the library", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" .picker-item")))
	if gallery {
		s.click(selRichDialog + " #rich-picker-gallery")
	}
	for _, sel := range items {
		s.click(selRichDialog + " " + sel)
	}
	s.click(selRichDialog + " button[type=submit]")
	s.do("wait for the picker to close", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	s.settle()
}

// reset gives the editor the body md, through the Markdown view.
func (s *richSession) reset(md string) {
	s.t.Helper()
	s.click(selModeMarkdown)
	s.setBody(md)
	s.click(selModeRich)
}

// setBody puts md in the Markdown textarea, as typing there would.
func (s *richSession) setBody(md string) {
	s.t.Helper()
	s.setField("body", md)
}

func (s *richSession) setField(id, value string) {
	s.t.Helper()
	evaluate[bool](s.t, s.ctx, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %s;
  e.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, id, jsString(value)))
}

// settle waits past the editor's write-back delay.
func (s *richSession) settle() {
	s.t.Helper()
	s.do("wait", chromedp.Sleep(400*time.Millisecond))
}

// focusEnd puts the caret at the end of the first block of the rich view
// whose text starts with prefix.
func (s *richSession) focusEnd(prefix string) {
	s.t.Helper()
	ok := evaluate[bool](s.t, s.ctx, fmt.Sprintf(`(() => {
  const view = document.querySelector(%q);
  const block = [...view.querySelectorAll("p, li, h2, h3, figcaption")].find(b => b.textContent.startsWith(%q));
  if (!block) return false;
  view.focus();
  const r = document.createRange();
  r.selectNodeContents(block);
  r.collapse(false);
  const sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(r);
  return true;
})()`, selRichText, prefix))
	if !ok {
		s.t.Fatalf("the rich view shows no block starting %q", prefix)
	}
	s.do("let the editor see the selection", chromedp.Sleep(100*time.Millisecond))
}

// checkClean fails the test for any CSP violation, console error or
// warning, failed request or uncaught exception since the last check.
func (s *richSession) checkClean(where string) {
	s.t.Helper()
	for _, v := range evaluate[[]string](s.t, s.ctx, `window.__csp || []`) {
		s.t.Errorf("%s: CSP violation: %s", where, v)
	}
	s.problems.report(s.t, where)
}

// TestRichEditorKeepsTheMarkdown opens an article whose body has all the
// Markdown the newsroom writes and some it should not (footnotes, raw HTML,
// reference links, odd spacing): switching between the rich view and the
// Markdown and saving changes no byte; editing one paragraph in the rich
// view changes only that paragraph's bytes.
func TestRichEditorKeepsTheMarkdown(t *testing.T) {
	s, a, load := startRichSession(t)
	want := a.Body
	s.open(fmt.Sprintf("/admin/articles/%d", a.ID))

	if p := inspectOne(t, s.ctx, selRichPane); !p.Visible {
		t.Fatalf("the rich view is not shown by default: %+v", p.box())
	}
	if ta := inspectOne(t, s.ctx, "#body"); ta.Visible {
		t.Error("the Markdown textarea is visible in the rich mode")
	}
	if got := evaluate[string](t, s.ctx, `document.querySelector(".mode-rich").getAttribute("aria-pressed") + " " + document.querySelector(".mode-markdown").getAttribute("aria-pressed")`); got != "true false" {
		t.Errorf("the mode buttons' aria-pressed are %q, want \"true false\"", got)
	}
	// Every kind of block the body has is shown as itself.
	for _, sel := range []string{"h2", "ul li", "ol li", "blockquote", "blockquote.pullquote", "table th", "figure.figure img", "figure.gallery img", ".embed-card", "pre.md-source", "hr", "dl"} {
		if len(inspectAll(t, s.ctx, selRichText+" "+sel)) == 0 {
			t.Errorf("the rich view shows no %s", sel)
		}
	}
	if got := s.markdown(); got != want {
		t.Errorf("on opening, the form's body changed:\n%s", firstDifference(want, got))
	}
	for i, mode := range []string{selModeMarkdown, selModeRich, selModeMarkdown, selModeRich, selModeMarkdown} {
		s.click(mode)
		if got := s.textarea(); got != want {
			t.Fatalf("after switch %d (to %s) the Markdown changed:\n%s", i+1, mode, firstDifference(want, got))
		}
	}
	s.click(selModeRich)
	s.checkClean("editor (switching)")

	// Save (a published story's Update) from the rich view: the stored
	// body is the same bytes.
	resp, err := chromedp.RunResponse(s.ctx, chromedp.Click(chromedp.CSS(`#editor button[name=action][value=update]`)))
	if err != nil {
		t.Fatalf("click Update: %v", err)
	}
	loc := expectPage(t, s.ctx, resp, http.StatusOK, "")
	editedArticleID(t, loc, "updated")
	if got := load(s.ctx, a.ID).Body; got != want {
		t.Errorf("saved from the rich view, the body changed:\n%s", firstDifference(want, got))
	}
	if err := chromedp.Do(s.ctx, chromedp.WaitReady(chromedp.CSS(selRichReady))); err != nil {
		t.Fatalf("the rich editor did not start after saving: %v", err)
	}

	// Edit one paragraph: only its bytes change.
	const para = "Firefighters and volunteers"
	s.focusEnd(para)
	s.keys(" They worked until dawn.")
	s.settle()
	i := strings.Index(want, "Northfield.\n\n> \"It came")
	if i < 0 {
		t.Fatal("the round-trip article lacks the paragraph to edit")
	}
	i += len("Northfield.")
	edited := want[:i] + " They worked until dawn." + want[i:]
	if got := s.textarea(); got != edited {
		t.Errorf("after typing at the end of one paragraph, the Markdown differs elsewhere:\n%s", firstDifference(edited, got))
	}
	s.checkClean("editor (editing)")
}

// firstDifference shows where two texts part.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-60)
	return fmt.Sprintf("at byte %d:\n  want …%q\n  got  …%q", i, want[from:min(len(want), i+80)], got[from:min(len(got), i+80)])
}

// TestRichEditorFormatting writes with the toolbar and the shortcuts and
// checks the Markdown they make; a link's address must be one a reader can
// follow, and Escape closes its dialog with the caret back in the text.
func TestRichEditorFormatting(t *testing.T) {
	s, _, _ := startRichSession(t)
	s.open("/admin/articles/new")
	s.click(selRichText)

	s.keys("Key facts")
	s.keys("2", chromedp.ModifierCtrl, chromedp.ModifierAlt) // heading
	s.keys(kb.End)
	s.press("Enter")
	s.keys("The surge was ")
	s.keys("b", chromedp.ModifierCtrl)
	s.keys("higher")
	s.keys("b", chromedp.ModifierCtrl)
	s.keys(" than the ")
	s.button("italic")
	s.keys("forecast")
	s.button("italic")
	s.keys(".")
	s.press("Enter")
	s.button("bullet")
	s.keys("gusts")
	s.press("Enter")
	s.keys("floods")
	s.press("Enter")
	s.press("Enter")
	s.keys("It came under the door.")
	s.button("quote")
	s.press("Enter")
	s.button("quote") // the new paragraph leaves the quote
	s.button("h3")
	s.keys("Readings")
	s.press("Enter")
	s.button("table")
	s.keys("Station")
	s.press("Tab")
	s.keys("Gust")
	s.press("Tab")
	s.keys("Time")
	s.press("Tab")
	s.keys("Gull Head")
	s.press("Tab")
	s.keys("82")
	s.button("row_add")
	s.button("col_add")
	s.press("Tab") // into the new column
	s.button("col_remove")
	s.press("Tab") // into the new row
	s.button("row_remove")
	s.settle()
	want := strings.Join([]string{
		"## Key facts",
		"The surge was **higher** than the *forecast*.",
		"- gusts\n- floods",
		"> It came under the door.",
		"### Readings",
		"| Station   | Gust | Time |\n| --------- | ---- | ---- |\n| Gull Head | 82   |      |\n|           |      |      |",
	}, "\n\n")
	if got := s.markdown(); got != want {
		t.Errorf("the toolbar and shortcuts wrote:\n%s\nwant:\n%s", got, want)
	}
	if got := evaluate[string](t, s.ctx, `document.querySelector('[data-cmd="bold"]').getAttribute("aria-pressed")`); got != "false" {
		t.Errorf("Bold shows aria-pressed=%q in a table cell without bold, want false", got)
	}

	// A link: the dialog refuses what is not an address.
	s.reset("Read the council's page.")
	s.focusEnd("Read the council")
	s.keys(kb.ArrowLeft)
	for range len("council's page") {
		s.keys(kb.ArrowLeft, chromedp.ModifierShift)
	}
	s.keys("k", chromedp.ModifierCtrl)
	s.do("wait for the link dialog", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" #rich-link-url")))
	if got := evaluate[string](t, s.ctx, `document.activeElement.id`); got != "rich-link-url" {
		t.Errorf("the link dialog opened with the focus on %q, want its address field", got)
	}
	for _, bad := range []string{"javascript:alert(1)", "htp:/x"} {
		s.setField("rich-link-url", bad)
		s.keys(kb.Enter)
		alert := inspectOne(t, s.ctx, selRichDialog+" .dialog-error[role=alert]")
		if !alert.Visible || !strings.Contains(alert.Text, "not an address a link can lead to") {
			t.Errorf("the link dialog took %q: its alert says %q (visible %v)", bad, alert.Text, alert.Visible)
		}
		if got := evaluate[string](t, s.ctx, `document.getElementById("rich-link-url").getAttribute("aria-invalid")`); got != "true" {
			t.Errorf("after %q the address field has aria-invalid=%q, want true", bad, got)
		}
	}
	s.setField("rich-link-url", "https://example.org/council")
	s.keys(kb.Enter)
	s.do("wait for the dialog to close", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	if !evaluate[bool](t, s.ctx, `document.activeElement.classList.contains("rich-text")`) {
		t.Error("after the link dialog the focus is not back in the text")
	}
	s.settle()
	if got, want := s.markdown(), "Read the [council's page](https://example.org/council)."; got != want {
		t.Errorf("with a link the body is %q, want %q", got, want)
	}
	s.keys("k", chromedp.ModifierCtrl)
	s.do("wait for the link dialog", chromedp.WaitVisible(chromedp.CSS(selRichDialog)))
	s.keys(kb.Escape)
	s.do("wait for Escape to close the dialog", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	if !evaluate[bool](t, s.ctx, `document.activeElement.classList.contains("rich-text")`) {
		t.Error("after Escape the focus is not back in the text")
	}

	// Tab leaves the text (outside tables and lists).
	s.focusEnd("Read the")
	s.press("Tab")
	if evaluate[bool](t, s.ctx, `document.activeElement.closest(".rich-text") !== null`) {
		t.Error("Tab in a paragraph kept the focus in the text")
	}
	s.checkClean("new article (formatting)")
}

// TestRichEditorPaste pastes what Word and Google Docs put on the
// clipboard: the structure stays, the styling goes.
func TestRichEditorPaste(t *testing.T) {
	s, _, _ := startRichSession(t)
	s.open("/admin/articles/new")
	for _, name := range []string{"word", "gdocs"} {
		html, err := os.ReadFile(filepath.Join("testdata", "editor", name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("testdata", "editor", name+".md"))
		if err != nil {
			t.Fatal(err)
		}
		s.reset("")
		s.click(selRichText)
		evaluate[bool](t, s.ctx, fmt.Sprintf(`(() => {
  const dt = new DataTransfer();
  dt.setData("text/html", %s);
  dt.setData("text/plain", "pasted");
  document.querySelector(%q).dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
  return true;
})()`, jsString(string(html)), selRichText))
		s.settle()
		if got := s.markdown(); got != strings.TrimSuffix(string(want), "\n") {
			t.Errorf("pasted from %s, the body is:\n%s\nwant:\n%s", name, got, want)
		}
	}
	// An address pasted alone on an empty line stays the address alone,
	// shown as an embed; the editor asks the provider nothing.
	const video = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
	s.reset("")
	s.click(selRichText)
	evaluate[bool](t, s.ctx, fmt.Sprintf(`(() => { const dt = new DataTransfer(); dt.setData("text/plain", %q);
  document.querySelector(%q).dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); return true; })()`, video, selRichText))
	s.settle()
	if got := s.markdown(); got != video {
		t.Errorf("an address pasted alone gives the body %q, want %q", got, video)
	}
	if e := inspectOne(t, s.ctx, selRichText+" .embed-card"); !e.Visible || !strings.Contains(e.Text, video) {
		t.Errorf("the pasted address is not shown as an embed card: %q", e.Text)
	}
	s.checkClean("new article (paste)")
}

// TestRichEditorAccessible runs axe-core on the editor page in the rich
// mode, with a figure, a gallery, an embed and a table in view, and checks
// the text's role and names.
func TestRichEditorAccessible(t *testing.T) {
	s, a, _ := startRichSession(t)
	axe := readAxe(t)
	s.open(fmt.Sprintf("/admin/articles/%d", a.ID))
	type box struct{ Role, Multi, Label, Toolbar string }
	got := evaluate[box](t, s.ctx, `(() => { const e = document.querySelector(".rich-text"); return {
  role: e.getAttribute("role"), multi: e.getAttribute("aria-multiline"), label: e.getAttribute("aria-label"),
  toolbar: document.querySelector(".rich-toolbar").getAttribute("role") }; })()`)
	if got.Role != "textbox" || got.Multi != "true" || got.Label != "Body" || got.Toolbar != "toolbar" {
		t.Errorf("the rich text is role=%q aria-multiline=%q aria-label=%q in a %q; want a multi-line textbox named Body with a toolbar", got.Role, got.Multi, got.Label, got.Toolbar)
	}
	// One tab stop in the toolbar; arrows move along it.
	if n := evaluate[int](t, s.ctx, `document.querySelectorAll(".rich-toolbar button[tabindex='0']").length`); n != 1 {
		t.Errorf("the toolbar has %d tab stops, want 1", n)
	}
	s.do("focus the toolbar", chromedp.Focus(chromedp.CSS(`.rich-toolbar button[tabindex='0']`)))
	s.keys(kb.ArrowRight)
	if got := evaluate[string](t, s.ctx, `document.activeElement.dataset.cmd`); got != "h3" {
		t.Errorf("ArrowRight from the first button moved to %q, want h3", got)
	}
	// The text reads down the page: each block below the one before (the
	// page's grid must not reach inside it).
	if !evaluate[bool](t, s.ctx, `(() => { const kids = [...document.querySelector(".rich-text").children];
  return kids.every((k, i) => i === 0 || k.getBoundingClientRect().top >= kids[i - 1].getBoundingClientRect().bottom - 1); })()`) {
		t.Error("the rich view's blocks are not stacked one below the other")
	}
	for _, size := range axeSizes {
		emulateSize(t, s.ctx, size)
		screenshot(t, s.ctx, filepath.Join(t.ArtifactDir(), "editor-rich-"+size.name+".png"))
		for _, v := range runAxe(t, s.ctx, axe, "editor") {
			t.Errorf("editor (rich) at %s width: %s", size.name, v)
		}
	}
	s.checkClean("editor (accessibility)")
}

// useMarkdownMode switches the article editor to Markdown, as a writer who
// types Markdown does; the browser remembers the choice.
func useMarkdownMode(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(selRichReady)), chromedp.Click(chromedp.CSS(selModeMarkdown))); err != nil {
		t.Fatalf("switch the editor to Markdown: %v", err)
	}
}

// pasteImageJS pastes a 480×320 PNG drawn in the page (or, with bad, a file
// that only says it is one) into the rich view.
const pasteImageJS = `(async () => {
  let blob;
  if (%t) {
    blob = new Blob(["not an image"], {type: "image/png"});
  } else {
    const c = document.createElement("canvas");
    c.width = 480; c.height = 320;
    const g = c.getContext("2d");
    g.fillStyle = "#2a6f97"; g.fillRect(0, 0, 480, 320);
    g.fillStyle = "#f6f5f1"; g.fillRect(40, 200, 400, 60);
    blob = await new Promise(r => c.toBlob(r, "image/png"));
  }
  const dt = new DataTransfer();
  dt.items.add(new File([blob], "sea-wall.png", {type: "image/png"}));
  document.querySelector(".rich-text").dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
  return true;
})()`

// TestRichEditorImages pastes an image: a dialog asks for its alt text
// (refusing none), caption and credit, uploads it to the media library and
// inserts a figure; a refused upload says why in the dialog and keeps what
// was typed. The library's picker inserts a figure, and a gallery of
// several images.
func TestRichEditorImages(t *testing.T) {
	s, _, _ := startRichSession(t)
	s.open("/admin/articles/new")
	s.click(selRichText)

	// A file the library refuses: the dialog shows the server's reason.
	s.await(fmt.Sprintf(pasteImageJS, true))
	s.do("wait for the image dialog", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" #rich-image-alt")))
	s.setField("rich-image-alt", "Waves over the sea wall")
	s.click(selRichDialog + " button[type=submit]")
	s.do("wait for the refusal", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" .dialog-error li, "+selRichDialog+" .dialog-error p")))
	if got := evaluate[string](t, s.ctx, `document.getElementById("rich-image-alt").value`); got != "Waves over the sea wall" {
		t.Errorf("after a refused upload the alt text is %q, want what was typed", got)
	}
	t.Logf("refused upload: %s", inspectOne(t, s.ctx, selRichDialog+" .dialog-error").Text)
	s.keys(kb.Escape)
	s.do("close the dialog", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	// The browser reports the refused request; it is the test's doing.
	s.problems.mu.Lock()
	s.problems.problems = nil
	s.problems.mu.Unlock()

	// A real image: alt text required, then uploaded and placed.
	s.await(fmt.Sprintf(pasteImageJS, false))
	s.do("wait for the image dialog", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" #rich-image-alt")))
	if got := evaluate[string](t, s.ctx, `document.activeElement.id`); got != "rich-image-alt" {
		t.Errorf("the image dialog opened with the focus on %q, want the alt text", got)
	}
	s.click(selRichDialog + " button[type=submit]")
	if alert := inspectOne(t, s.ctx, selRichDialog+" .dialog-error"); !strings.Contains(alert.Text, "alt text is required") {
		t.Errorf("without alt text the dialog says %q", alert.Text)
	}
	s.setField("rich-image-alt", "Waves over the sea wall")
	s.setField("rich-image-caption", "The surge at high tide.")
	s.setField("rich-image-credit", "Photo: Ines Dalgaard")
	s.click(selRichDialog + " button[type=submit]")
	s.do("wait for the upload", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	s.settle()
	figure := regexp.MustCompile(`^!\[Waves over the sea wall\]\((/media/\d+/[^ )]+)\ "Photo: Ines Dalgaard"\)\nThe surge at high tide\.$`)
	md := s.markdown()
	m := figure.FindStringSubmatch(md)
	if m == nil {
		t.Fatalf("after the upload the body is %q, want a figure of the uploaded image", md)
	}
	if n := len(inspectAll(t, s.ctx, selRichText+" figure img[src='"+m[1]+"']")); n != 1 {
		t.Errorf("the rich view shows the uploaded image %d times, want once", n)
	}

	// The figure's alt text and credit change through its Edit button; the
	// caption is typed in place.
	s.click(selRichText + " figure .figure-edit")
	s.do("wait for the image's dialog", chromedp.WaitVisible(chromedp.CSS(selRichDialog+" #rich-image-credit")))
	s.setField("rich-image-credit", "Photo: Courier")
	s.click(selRichDialog + " button[type=submit]")
	s.do("wait for the dialog to close", chromedp.WaitNotPresent(chromedp.CSS(selRichDialog)))
	s.focusEnd("The surge at high tide.")
	s.keys(" Saltings.")
	s.settle()
	if got, want := s.markdown(), "![Waves over the sea wall]("+m[1]+" \"Photo: Courier\")\nThe surge at high tide. Saltings."; got != want {
		t.Errorf("after editing the figure the body is %q, want %q", got, want)
	}

	// From the library: one image, then two as a gallery.
	s.pick(false, ".picker-item")
	if got := s.markdown(); !regexp.MustCompile(`^!\[[^\]]+\]\(/media/\d+/[^)]+\)`).MatchString(got) {
		t.Errorf("picked from the library, the body is %q, want a figure", got)
	}
	s.pick(true, "li:nth-child(1) .picker-item", "li:nth-child(2) .picker-item")
	gallery := regexp.MustCompile(`^!\[[^\]]+\]\(/media/\d+/[^)]+\)\n!\[[^\]]+\]\(/media/\d+/[^)]+\)$`)
	if got := s.markdown(); !gallery.MatchString(got) {
		t.Errorf("two picked as a gallery, the body is %q, want two image lines in one paragraph", got)
	}
	if n := len(inspectAll(t, s.ctx, selRichText+" figure.gallery img")); n != 2 {
		t.Errorf("the rich view's gallery shows %d images, want 2", n)
	}
	s.checkClean("new article (images)")
}
