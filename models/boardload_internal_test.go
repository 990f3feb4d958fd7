package models

import (
	"os"
	"strings"
	"testing"
)

// TestBenchBoardSQLIsTheServers: bench/run.sh measures the board against
// pgbench running bench/pgbench/board.sql, which must be the statements
// the server sends, with pgbench's variables for the parameters.
func TestBenchBoardSQLIsTheServers(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../bench/pgbench/board.sql")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "--") {
			got = append(got, line)
		}
	}
	oneLine := func(q string) string { return strings.ReplaceAll(q, "\n", " ") + ";" }
	want := []string{
		oneLine(strings.Replace(strings.Replace(boardHeadSQL, "?", ":user", 1), "?", ":room", 1)),
		oneLine(strings.ReplaceAll(boardPeopleSQL, "@room", ":room")),
		oneLine(strings.NewReplacer("@room", ":room", "@labels", ":labels").Replace(boardCardsSQL)),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bench/pgbench/board.sql is not the server's board statements; want:\n%s", strings.Join(want, "\n"))
	}
}
