package i18n

import (
	"testing"

	"omnicast/channels"
)

// TestEveryFitProblemIsWorded: the views word a problem as "fit.<code>",
// built at run time, so the scan of the sources cannot see those keys.
func TestEveryFitProblemIsWorded(t *testing.T) {
	en, zh := loadKeys(t, En), loadKeys(t, ZhTW)
	for _, code := range channels.ProblemCodes() {
		if en["fit."+code] == "" || zh["fit."+code] == "" {
			t.Errorf("fit.%s missing from a catalogue", code)
		}
	}
}
