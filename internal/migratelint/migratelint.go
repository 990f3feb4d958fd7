// Package migratelint runs Atlas's migration analyzers over new migration
// files, as `atlas migrate lint` does: it replays the older files on the
// empty dev database, runs each new file one statement at a time, inspects
// the schema after each statement to learn what it changed, and hands the
// changes to the analyzers (destructive, data_depend, condrop,
// incompatible, and concurrent_index, which Atlas ships only in its cloud
// builds and this package adds). A finding is excepted by an
// `-- atlas:nolint <analyzer or code>` directive, the CLI's syntax, which
// must have its reason in the comment line above it. Tools and tests only.
package migratelint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"

	"ariga.io/atlas/schemahcl"
	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	_ "ariga.io/atlas/sql/postgres/postgrescheck" // registers Atlas's PostgreSQL analyzers
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlclient"

	"github.com/syncboard/syncboard/dbmigrate"
)

// Finding is one diagnostic of one analyzer on one statement.
type Finding struct {
	File     string // file name
	Line     int    // line of the statement
	Analyzer string // destructive, data_depend, condrop, incompatible, concurrent_index, nolint
	Code     string // DS103, MF103, PG101, ...; "" for a directive without a reason
	Text     string
	Reason   string // the reviewed reason when an atlas:nolint directive excepts it
}

// Excepted reports whether a reviewed directive excepts the finding.
func (f Finding) Excepted() bool { return f.Reason != "" }

func (f Finding) String() string {
	s := fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Analyzer)
	if f.Code != "" {
		s += " " + f.Code
	}
	s += ": " + f.Text
	if f.Excepted() {
		s += " (excepted: " + f.Reason + ")"
	}
	return s
}

// Report is the outcome of one lint run.
type Report struct {
	Files    []string // the files analyzed, in order
	Findings []Finding
}

// Failed reports whether any finding is not excepted.
func (r Report) Failed() bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return !f.Excepted() })
}

// Write prints the report for a person.
func (r Report) Write(w io.Writer) {
	if len(r.Files) == 0 {
		fmt.Fprintln(w, "migrate lint: no new migration files")
		return
	}
	fmt.Fprintf(w, "migrate lint: analyzing %s\n", strings.Join(r.Files, ", "))
	open := 0
	for _, f := range r.Findings {
		fmt.Fprintln(w, "  "+f.String())
		if !f.Excepted() {
			open++
		}
	}
	switch {
	case open > 0:
		fmt.Fprintf(w, "migrate lint: %d finding(s) to fix or to except with a reviewed `-- atlas:nolint <code>` (reason in the line above)\n", open)
	case len(r.Findings) > 0:
		fmt.Fprintf(w, "migrate lint: ok (%d finding(s), each excepted with a reason)\n", len(r.Findings))
	default:
		fmt.Fprintln(w, "migrate lint: ok")
	}
}

// Latest splits dir into the files before its newest n and those n.
func Latest(dir migrate.Dir, n int) (base, files []migrate.File, err error) {
	all, err := dir.Files()
	if err != nil {
		return nil, nil, err
	}
	if n > len(all) || n < 0 {
		n = len(all)
	}
	return all[:len(all)-n], all[len(all)-n:], nil
}

// SinceGitRef splits dir (at dirPath in the git work tree around it) as
// `atlas migrate lint --git-base ref` does: the first file added since ref
// and every file after it are new, the files before it are the base.
func SinceGitRef(ctx context.Context, dir migrate.Dir, dirPath, ref string) (base, files []migrate.File, err error) {
	out, err := exec.CommandContext(ctx, "git", "diff", "--name-only", "--diff-filter=A", ref, "HEAD", "--", dirPath).CombinedOutput()
	if err != nil {
		return nil, nil, fmt.Errorf("git diff %s: %w: %s", ref, err, bytes.TrimSpace(out))
	}
	added := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			added[path.Base(l)] = true
		}
	}
	all, err := dir.Files()
	if err != nil {
		return nil, nil, err
	}
	for i, f := range all {
		if added[f.Name()] {
			return all[:i], all[i:], nil
		}
	}
	return all, nil, nil
}

// Lint replays base on the empty dev database at devURL, then analyzes
// files. The dev database is left empty.
func Lint(ctx context.Context, devURL string, base, files []migrate.File) (rep Report, err error) {
	if len(files) == 0 {
		return rep, nil
	}
	dev, err := dbmigrate.Open(ctx, devURL)
	if err != nil {
		return rep, err
	}
	defer dev.Close()
	// The CLI's lock: two linters on one dev database wait for each other.
	unlock, err := dev.Driver.(schema.Locker).Lock(ctx, "atlas_ci_change_detection", 0)
	if err != nil {
		return rep, fmt.Errorf("lock the dev database: %w", err)
	}
	defer unlock()
	restore, err := dev.Driver.(migrate.Snapshoter).Snapshot(ctx)
	if err != nil {
		return rep, fmt.Errorf("the dev database must be empty: %w", err)
	}
	defer func() {
		if rerr := restore(ctx); rerr != nil && err == nil {
			err = fmt.Errorf("clean the dev database: %w", rerr)
		}
	}()
	for _, f := range base {
		stmts, err := migrate.FileStmtDecls(dev.Driver, f)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", f.Name(), err)
		}
		for _, s := range stmts {
			if _, err := dev.ExecContext(ctx, s.Text); err != nil {
				return rep, fmt.Errorf("replay %s: %w", f.Name(), err)
			}
		}
	}
	analyzers, err := Analyzers()
	if err != nil {
		return rep, err
	}
	current, err := inspect(ctx, dev)
	if err != nil {
		return rep, err
	}
	for _, f := range files {
		rep.Files = append(rep.Files, f.Name())
		file := &sqlcheck.File{File: f, From: current}
		stmts, err := migrate.FileStmtDecls(dev.Driver, f)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", f.Name(), err)
		}
		for _, s := range stmts {
			if _, err := dev.ExecContext(ctx, s.Text); err != nil {
				return rep, fmt.Errorf("%s:%d: %w", f.Name(), line(f, s.Pos), err)
			}
			next, err := inspect(ctx, dev)
			if err != nil {
				return rep, err
			}
			changes, err := dev.Driver.RealmDiff(current, next)
			if err != nil {
				return rep, err
			}
			file.Changes = append(file.Changes, &sqlcheck.Change{Stmt: s, Changes: fixRenames(s.Text, changes)})
			current = next
		}
		file.To = current
		if file.Sum, err = dev.Driver.RealmDiff(file.From, file.To); err != nil {
			return rep, err
		}
		findings, err := analyze(ctx, dev, file, analyzers)
		if err != nil {
			return rep, err
		}
		rep.Findings = append(rep.Findings, findings...)
	}
	return rep, nil
}

// Analyzers returns the analyzers Lint runs: Atlas's PostgreSQL set and
// concurrent_index.
func Analyzers() ([]sqlcheck.Analyzer, error) {
	azs, err := sqlcheck.AnalyzerFor(postgres.DriverName, &schemahcl.Resource{})
	if err != nil {
		return nil, err
	}
	return append(azs, ConcurrentIndex{}), nil
}

func inspect(ctx context.Context, dev *sqlclient.Client) (*schema.Realm, error) {
	s, err := dev.InspectSchema(ctx, "", nil)
	if err != nil {
		return nil, fmt.Errorf("inspect the dev database: %w", err)
	}
	return schema.NewRealm(s), nil
}

func line(f migrate.File, pos int) int {
	return bytes.Count(f.Bytes()[:min(pos, len(f.Bytes()))], []byte("\n")) + 1
}

// analyze runs every analyzer on file and applies its atlas:nolint
// directives.
func analyze(ctx context.Context, dev *sqlclient.Client, file *sqlcheck.File, analyzers []sqlcheck.Analyzer) ([]Finding, error) {
	rules, findings := directives(file)
	for _, az := range analyzers {
		name := ""
		if n, ok := az.(sqlcheck.NamedAnalyzer); ok {
			name = n.Name()
		}
		var diags []sqlcheck.Diagnostic
		pass := &sqlcheck.Pass{File: file, Dev: dev, Reporter: sqlcheck.ReportWriterFunc(func(r sqlcheck.Report) {
			diags = append(diags, r.Diagnostics...)
		})}
		// Analyzers return an error when they report; the report is what
		// is judged here.
		_ = az.Analyze(ctx, pass)
		for _, d := range diags {
			f := Finding{File: file.Name(), Line: line(file.File, d.Pos), Analyzer: name, Code: d.Code, Text: d.Text}
			for _, r := range rules[d.Pos] {
				if r.matches(name, d.Code) {
					f.Reason = r.reason
				}
			}
			findings = append(findings, f)
		}
	}
	slices.SortStableFunc(findings, func(a, b Finding) int { return a.Line - b.Line })
	return findings, nil
}

// rule is one atlas:nolint directive that applies to a statement.
type rule struct {
	names  []string // analyzer names or codes; none: every analyzer
	reason string   // the comment line above the directive
}

func (r rule) matches(analyzer, code string) bool {
	if r.reason == "" {
		return false // a directive without a reason excepts nothing
	}
	return len(r.names) == 0 || slices.Contains(r.names, analyzer) || slices.Contains(r.names, code)
}

// Atlas's planner writes a comment like `-- Modify "users" table` above
// each statement; it is not a reason.
var generatedComment = regexp.MustCompile(`^(Create|Modify|Drop|Rename|Add|Set|Alter) .*"`)

// directives reads the file's atlas:nolint directives, as the atlas CLI
// does: a directive in the file's header (comment lines followed by an
// empty line) applies to every statement, one among a statement's comments
// to that statement; its words are analyzer names (destructive, ...) or
// codes (DS103, ...), none meaning all. SyncBoard adds one rule: the
// comment line right above a directive is its reason, and a directive
// without one excepts nothing and is a finding itself.
func directives(file *sqlcheck.File) (map[int][]rule, []Finding) {
	var (
		rules    = map[int][]rule{}
		findings []Finding
	)
	parse := func(comments []string, pos int) []rule {
		var rs []rule
		lines := commentLines(comments)
		for i, l := range lines {
			args, ok := nolint(l)
			if !ok {
				continue
			}
			r := rule{names: strings.Fields(args)}
			if i > 0 {
				if prev := strings.TrimSpace(strings.TrimPrefix(lines[i-1], "--")); prev != "" {
					if _, isDirective := nolint(lines[i-1]); !isDirective && !generatedComment.MatchString(prev) {
						r.reason = prev
					}
				}
			}
			if r.reason == "" {
				findings = append(findings, Finding{File: file.Name(), Line: line(file.File, pos), Analyzer: "nolint",
					Text: fmt.Sprintf("%q has no reason: write why the exception is safe in the comment line above it", l)})
			}
			rs = append(rs, r)
		}
		return rs
	}
	header := parse(fileHeader(file.Bytes()), 0)
	for _, c := range file.Changes {
		rules[c.Stmt.Pos] = append(rules[c.Stmt.Pos], header...)
		rules[c.Stmt.Pos] = append(rules[c.Stmt.Pos], parse(c.Stmt.Comments, c.Stmt.Pos)...)
	}
	return rules, findings
}

var reNolint = regexp.MustCompile(`^(?:--|#|/\*)\s*atlas:nolint(?:\s+(.*?))?\s*(?:\*/)?$`)

// nolint returns the arguments of an atlas:nolint comment line.
func nolint(l string) (string, bool) {
	m := reNolint.FindStringSubmatch(strings.TrimSpace(l))
	if m == nil {
		return "", false
	}
	return m[1], true
}

func commentLines(comments []string) []string {
	var lines []string
	for _, c := range comments {
		for _, l := range strings.Split(strings.TrimRight(c, "\n"), "\n") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}

// fileHeader returns the file's leading comment lines when an empty line
// ends them: the CLI's file directives.
func fileHeader(b []byte) []string {
	var lines []string
	for _, l := range strings.SplitAfter(string(b), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "" && strings.HasSuffix(l, "\n"):
			return lines
		case strings.HasPrefix(t, "--"), strings.HasPrefix(t, "#"):
			lines = append(lines, t)
		default:
			return nil
		}
	}
	return nil
}

var (
	reRenameColumn = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?("?[\w.]+"?)\s+RENAME\s+(?:COLUMN\s+)?("?\w+"?)\s+TO\s+("?\w+"?)\s*;?\s*$`)
	reRenameTable  = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?("?[\w.]+"?)\s+RENAME\s+TO\s+("?\w+"?)\s*;?\s*$`)
)

// fixRenames turns the drop and add an inspection sees after a RENAME
// statement back into the rename it is, as the CLI's SQL parser does, so
// the incompatible analyzer reports a rename (BC101, BC102) and the
// destructive one does not report a drop.
func fixRenames(stmt string, changes schema.Changes) schema.Changes {
	unquote := func(s string) string {
		s = strings.Trim(s, `"`)
		if i := strings.LastIndexByte(s, '.'); i >= 0 {
			s = strings.Trim(s[i+1:], `"`)
		}
		return s
	}
	if m := reRenameTable.FindStringSubmatch(stmt); m != nil {
		from, to := unquote(m[1]), unquote(m[2])
		di, ai := -1, -1
		for i, c := range changes {
			switch c := c.(type) {
			case *schema.DropTable:
				if c.T.Name == from {
					di = i
				}
			case *schema.AddTable:
				if c.T.Name == to {
					ai = i
				}
			}
		}
		if di >= 0 && ai >= 0 {
			rename := &schema.RenameTable{From: changes[di].(*schema.DropTable).T, To: changes[ai].(*schema.AddTable).T}
			out := schema.Changes{rename}
			for i, c := range changes {
				if i != di && i != ai {
					out = append(out, c)
				}
			}
			return out
		}
		return changes
	}
	m := reRenameColumn.FindStringSubmatch(stmt)
	if m == nil || strings.EqualFold(unquote(m[2]), "to") {
		return changes
	}
	table, from, to := unquote(m[1]), unquote(m[2]), unquote(m[3])
	for _, c := range changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok || mt.T.Name != table {
			continue
		}
		di, ai := -1, -1
		for i, mc := range mt.Changes {
			switch mc := mc.(type) {
			case *schema.DropColumn:
				if mc.C.Name == from {
					di = i
				}
			case *schema.AddColumn:
				if mc.C.Name == to {
					ai = i
				}
			}
		}
		if di < 0 || ai < 0 {
			continue
		}
		rename := &schema.RenameColumn{From: mt.Changes[di].(*schema.DropColumn).C, To: mt.Changes[ai].(*schema.AddColumn).C}
		kept := schema.Changes{rename}
		for i, mc := range mt.Changes {
			if i != di && i != ai {
				kept = append(kept, mc)
			}
		}
		mt.Changes = kept
	}
	return changes
}

// ConcurrentIndex reports an index created without CONCURRENTLY on a
// table that existed before the file: PostgreSQL blocks the table's writes
// while it builds the index. It has the name and code of the atlas CLI's
// cloud analyzer (concurrent_index, PG101).
type ConcurrentIndex struct{}

// Name implements sqlcheck.NamedAnalyzer.
func (ConcurrentIndex) Name() string { return "concurrent_index" }

var reConcurrently = regexp.MustCompile(`(?i)\bCONCURRENTLY\b`)

// Analyze implements sqlcheck.Analyzer.
func (a ConcurrentIndex) Analyze(_ context.Context, p *sqlcheck.Pass) error {
	var diags []sqlcheck.Diagnostic
	for _, c := range p.File.Changes {
		for _, ch := range c.Changes {
			mt, ok := ch.(*schema.ModifyTable)
			if !ok || p.File.TableSpan(mt.T)&sqlcheck.SpanAdded != 0 {
				continue
			}
			for _, mc := range mt.Changes {
				if ai, ok := mc.(*schema.AddIndex); ok && !reConcurrently.MatchString(c.Stmt.Text) {
					diags = append(diags, sqlcheck.Diagnostic{
						Code: "PG101",
						Pos:  c.Stmt.Pos,
						Text: fmt.Sprintf("Creating index %q non-concurrently blocks writes to table %q while it builds", ai.I.Name, mt.T.Name),
					})
				}
			}
		}
	}
	if len(diags) == 0 {
		return nil
	}
	p.Reporter.WriteReport(sqlcheck.Report{Text: "index changes that lock the table", Diagnostics: diags})
	return errors.New("index changes that lock the table")
}
