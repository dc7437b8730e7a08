package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"omnicast/models"
)

func runUserAdd(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "user add", "user add --email E --name N --role admin|marketer --password-stdin [flags]")
	cfg := bindConfig(fs, env.getenv)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", models.RoleMarketer, "admin or marketer")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*fromStdin {
		return errors.New("user add: --password-stdin is required (passwords are never taken as arguments)")
	}
	password, err := readPassword(env.stdin)
	if err != nil {
		return err
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	u, err := models.CreateUser(db, models.NewUserInput{Email: *email, Name: *name, Role: *role, Password: password})
	if err != nil {
		return fmt.Errorf("user add: %w", describeFieldErrors(err))
	}
	fmt.Fprintf(env.stdout, "user %d added: %s (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

func runUserPasswd(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "user passwd", "user passwd --email E --password-stdin [flags]")
	cfg := bindConfig(fs, env.getenv)
	email := fs.String("email", "", "email address of the user (required)")
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*fromStdin {
		return errors.New("user passwd: --password-stdin is required")
	}
	password, err := readPassword(env.stdin)
	if err != nil {
		return err
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	if err := models.SetUserPassword(db, *email, password); err != nil {
		return fmt.Errorf("user passwd: %w", describeFieldErrors(err))
	}
	fmt.Fprintf(env.stdout, "password changed for %s; their sessions have ended\n", models.NormalizeEmail(*email))
	return nil
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// cliMessages explains model validation errors on the command line.
func cliMessages() map[error]string {
	return map[error]string{
		models.ErrEmailInvalid:      "enter a valid email address",
		models.ErrEmailTaken:        "a user with this email already exists",
		models.ErrNameRequired:      "a name is required",
		models.ErrPasswordTooShort:  fmt.Sprintf("the password must have at least %d characters", models.MinPasswordLength),
		models.ErrPasswordBlank:     "the password cannot be blank or only spaces",
		models.ErrPasswordIsEmail:   "the password cannot be the email address",
		models.ErrPasswordCommon:    "the password is one of the most used ones and easy to guess; choose another",
		models.ErrRoleInvalid:       "the role must be admin or marketer",
		models.ErrNotFound:          "no such user",
		models.ErrTokenNameRequired: "a name is required (--name), e.g. the program using the token",
		models.ErrTokenNameTooLong:  fmt.Sprintf("the name can have at most %d characters", models.APITokenNameMaxRunes),
		models.ErrTokenUserInvalid:  "the user is deactivated",
	}
}

func describeFieldErrors(err error) error {
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		parts := []string{}
		for field, e := range fe {
			parts = append(parts, field+": "+cliText(e))
		}
		return errors.New(strings.Join(parts, "; "))
	}
	return errors.New(cliText(err))
}

func cliText(err error) string {
	for k, v := range cliMessages() {
		if errors.Is(err, k) {
			return v
		}
	}
	return err.Error()
}
