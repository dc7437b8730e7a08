package main

import (
	"errors"
	"fmt"
	"strings"

	"omnicast/models"
)

// checkCredentials refuses a start whose secret key cannot open the
// stored channel credentials: instances on one database must share
// OMNICAST_SECRET_KEY, and one with another key would fail every send
// and every webhook check of those channels while looking healthy.
func checkCredentials(ws *workspace) error {
	list, err := models.ListChannels(ws.db)
	if err != nil {
		return fmt.Errorf("check channel credentials: %w", err)
	}
	var bad []string
	for i := range list {
		ch := &list[i]
		if _, err := ch.Secrets(ws.sealer); err != nil {
			if !errors.Is(err, models.ErrUnseal) {
				return fmt.Errorf("check channel credentials: %w", err)
			}
			bad = append(bad, fmt.Sprintf("%d %q", ch.ID, ch.Name))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("the secret key cannot open the stored credentials of %d of %d channels (%s): "+
		"start with the OMNICAST_SECRET_KEY that connected them — every instance on one database must "+
		"use the same key (without OMNICAST_SECRET_KEY the key is the data dir's %s)",
		len(bad), len(list), strings.Join(bad, ", "), secretKeyFile)
}
