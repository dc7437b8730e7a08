package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"omnicast/models"
)

func tokenCommands() []command {
	return []command{
		{name: "create", summary: "create an API token and print it, once", run: runTokenCreate},
		{name: "list", summary: "list the API tokens (never their secrets)", run: runTokenList},
		{name: "revoke", summary: "revoke an API token by id", run: runTokenRevoke},
	}
}

// runTokenCreate prints the secret alone on standard output, so that
// TOKEN=$(omnicast token create --name crm) works; what it is goes to
// standard error.
func runTokenCreate(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "token create", "token create --name N [--user EMAIL] [flags]")
	cfg := bindConfig(fs, env.getenv)
	name := fs.String("name", "", "what the token is for, e.g. the program using it (required)")
	email := fs.String("user", "", "email of the user the token acts for (default: the first active admin)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	owner, err := tokenOwner(db, *email)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	tok, secret, err := models.CreateAPIToken(db, *name, owner.ID, time.Now())
	if err != nil {
		return fmt.Errorf("token create: %w", describeFieldErrors(err))
	}
	fmt.Fprintf(env.stderr, "token %d %q created, acting for %s; it is shown once, store it now:\n", tok.ID, tok.Name, owner.Email)
	fmt.Fprintln(env.stdout, secret)
	return nil
}

// tokenOwner is the user of --user, or the first active admin.
func tokenOwner(db *gorm.DB, email string) (*models.User, error) {
	if email != "" {
		u, err := models.FindUserByEmail(db, email)
		if errors.Is(err, models.ErrNotFound) {
			return nil, fmt.Errorf("no user %s", models.NormalizeEmail(email))
		}
		return u, err
	}
	users, err := models.ListUsers(db)
	if err != nil {
		return nil, err
	}
	var first *models.User
	for i := range users {
		u := &users[i]
		if u.Active && u.IsAdmin() && (first == nil || u.ID < first.ID) {
			first = u
		}
	}
	if first == nil {
		return nil, errors.New("no active admin to act for: create one first (omnicast user add), or pass --user")
	}
	return first, nil
}

func runTokenList(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "token list", "token list [flags]")
	cfg := bindConfig(fs, env.getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	list, err := models.ListAPITokens(db)
	if err != nil {
		return err
	}
	when := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	rows := [][]string{{"ID", "NAME", "PREFIX", "USER", "CREATED", "LAST USED", "STATUS"}}
	for _, tok := range list {
		status := "active"
		if tok.RevokedAt != nil {
			status = "revoked " + when(tok.RevokedAt)
		}
		rows = append(rows, []string{strconv.FormatUint(uint64(tok.ID), 10), tok.Name, tok.Prefix + "…", tok.UserEmail,
			when(&tok.CreatedAt), when(tok.LastUsedAt), status})
	}
	return writeTable(env.stdout, rows)
}

func runTokenRevoke(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "token revoke", "token revoke [flags] ID")
	cfg := bindConfig(fs, env.getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("token revoke: give the token's id (see omnicast token list)")
	}
	id, err := strconv.ParseUint(fs.Arg(0), 10, 32)
	if err != nil || id == 0 {
		return fmt.Errorf("token revoke: %q is not a token id", fs.Arg(0))
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	tok, err := models.RevokeAPIToken(db, uint(id), time.Now())
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Errorf("token revoke: no token %d", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "token %d %q revoked\n", tok.ID, tok.Name)
	return nil
}
