package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"broadsheet/internal/account"
	"broadsheet/internal/article"
)

// userAdd creates a newsroom account from the command line.
func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("BROADSHEET_DATA", "./data"), "directory holding the database (env BROADSHEET_DATA)")
	dbURL := fs.String("database-url", env("BROADSHEET_DATABASE_URL", ""), "postgres://… when the site runs on PostgreSQL (env BROADSHEET_DATABASE_URL)")
	email := fs.String("email", "", "the user's email address, used to sign in")
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "", "contributor, author, editor or admin")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of a prompt")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	u := &account.User{Email: strings.TrimSpace(*email), Name: strings.TrimSpace(*name), Role: account.Role(*role)}
	if err := u.Validate(); err != nil {
		return usageError{err}
	}
	password, err := readPassword(stdin, stderr, *fromStdin)
	if err != nil {
		return err
	}
	if err := account.CheckPassword(password, u.Email, u.Name); err != nil {
		return usageError{err}
	}
	if u.PasswordHash, err = account.HashPassword(password); err != nil {
		return err
	}
	db, err := openDB(ctx, Config{DataDir: *data, DatabaseURL: *dbURL})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateUser(ctx, u); err != nil {
		if errors.Is(err, account.ErrConflict) {
			return fmt.Errorf("a user with the email address %s already exists", u.Email)
		}
		return err
	}
	fmt.Fprintf(stdout, "created %s %s <%s> (user %d)\n", u.Role, u.Name, u.Email, u.ID)
	return nil
}

// readPassword reads a password from a terminal prompt (twice, without
// echo) or, with --password-stdin, the first line of standard input.
func readPassword(stdin io.Reader, stderr io.Writer, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(stdin, account.MaxPasswordBytes+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError{errors.New("no terminal to ask for a password: use --password-stdin")}
	}
	fmt.Fprint(stderr, "Password: ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(stderr, "Password again: ")
	second, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", usageError{errors.New("the two passwords differ")}
	}
	return string(first), nil
}

// tokenCreate prints a new Admin API token for a user. Only its hash is
// stored: the printed token cannot be shown again.
func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("BROADSHEET_DATA", "./data"), "directory holding the database (env BROADSHEET_DATA)")
	dbURL := fs.String("database-url", env("BROADSHEET_DATABASE_URL", ""), "postgres://… when the site runs on PostgreSQL (env BROADSHEET_DATABASE_URL)")
	email := fs.String("user", "", "email address of the user the token acts as")
	name := fs.String("name", "", "a label saying what the token is for")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *email == "" || strings.TrimSpace(*name) == "" {
		return usageError{errors.New("token create needs --user EMAIL and --name LABEL")}
	}
	db, err := openDB(ctx, Config{DataDir: *data, DatabaseURL: *dbURL})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, *email)
	if errors.Is(err, account.ErrNotFound) {
		return fmt.Errorf("there is no user %s", *email)
	} else if err != nil {
		return err
	}
	token, hash := account.NewToken()
	t := account.Token{UserID: u.ID, Name: strings.TrimSpace(*name), TokenHash: hash}
	if err := db.CreateToken(ctx, &t); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Token %q for %s (%s). It is shown once; store it now.\n", t.Name, u.Email, u.Role)
	fmt.Fprintln(stdout, token)
	return nil
}

// userResetSecondStep removes an account's second step from the command
// line: the way back in for an admin who lost every passkey, phone and
// recovery code when no other admin can reset it in the newsroom. Whoever
// runs it holds the database already.
func userResetSecondStep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user reset-second-step", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("BROADSHEET_DATA", "./data"), "directory holding the database (env BROADSHEET_DATA)")
	dbURL := fs.String("database-url", env("BROADSHEET_DATABASE_URL", ""), "postgres://… when the site runs on PostgreSQL (env BROADSHEET_DATABASE_URL)")
	email := fs.String("email", "", "the account's email address")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if strings.TrimSpace(*email) == "" {
		return usageError{errors.New("user reset-second-step needs --email EMAIL")}
	}
	db, err := openDB(ctx, Config{DataDir: *data, DatabaseURL: *dbURL})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, strings.TrimSpace(*email))
	if errors.Is(err, account.ErrNotFound) {
		return fmt.Errorf("there is no user %s", *email)
	} else if err != nil {
		return err
	}
	if err := db.ResetSecondSteps(ctx, u.ID); err != nil {
		return err
	}
	if err := db.DeleteUserSessions(ctx, u.ID, 0); err != nil {
		return err
	}
	if err := db.Audit(ctx, article.AuditEntry{Action: "user.second_step_reset", ObjectType: "user", ObjectID: u.ID, Detail: u.Email + ", from the command line"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reset the second step of %s <%s> and signed the account out everywhere; it signs in with its password alone until it sets up a new one\n", u.Name, u.Email)
	return nil
}
