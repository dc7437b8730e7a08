package main

import (
	"context"
	"fmt"

	"omnicast/models"
)

func runMigrate(_ context.Context, env *runEnv, args []string) error {
	fs := newFlagSet(env, "migrate", "migrate [flags]")
	cfg := bindConfig(fs, env.getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := cfg.openDB()
	if err != nil {
		return err
	}
	defer func() { _ = models.Close(db) }()
	ids, err := models.AppliedMigrations(db)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "database up to date: %d migrations applied (latest %s)\n", len(ids), ids[len(ids)-1])
	return nil
}
