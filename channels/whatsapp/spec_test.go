package whatsapp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"omnicast/channels/spectest"
)

// Meta's v23.0 spec has two defects that reject requests the API accepts
// and that Meta's own examples use:
//
//  1. The button index pattern `^[2-6, 11-14]$` is a character class (one
//     character among 2-6, ',', ' ', '1', '4'): it refuses index "0", which
//     the spec's own quick-reply example sends.
//  2. TextMessage's (and InteractiveMessage's) allOf branch has
//     additionalProperties:false without listing the BaseMessageProperties,
//     so every text message – Meta's "Send Text Message" example included –
//     fails with "property messaging_product is unsupported".
//
// whatsappSpec fixes exactly these two in the loaded document, once, and
// records that the defects were there before (TestSpecFixes checks that
// they were, and that the fixes keep the checks strict).
const brokenIndexPattern = `^[2-6, 11-14]$`

type specState struct {
	once         sync.Once
	spec         *spectest.Spec
	err          error
	beforeErrs   map[string]error // validation of the probes before fixing
	fixedPattern int
	fixedText    bool
}

var testSpec specState

// probeBodies are bodies the real API accepts, used to show the defects.
var probeBodies = map[string]string{
	"text (Meta's example)":     `{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"text-message-content","preview_url":false},"to":"16505551234","type":"text"}`,
	"interactive reply buttons": `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}}`,
	"template index 0":          `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"x","language":{"policy":"deterministic","code":"en_US"},"components":[{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload","payload":"P"}]}]}}`,
}

func whatsappSpec(t testing.TB) *spectest.Spec {
	t.Helper()
	testSpec.once.Do(func() {
		s, err := spectest.Load(spectest.WhatsApp)
		if err != nil {
			testSpec.err = err
			return
		}
		testSpec.beforeErrs = map[string]error{}
		for name, body := range probeBodies {
			testSpec.beforeErrs[name] = validateBody(s, "/v23.0/106540352242922/messages", body)
		}
		testSpec.fixedPattern, testSpec.fixedText = fixSpec(s.Doc)
		testSpec.spec = s
	})
	if testSpec.err != nil {
		t.Fatalf("load WhatsApp spec: %v", testSpec.err)
	}
	return testSpec.spec
}

func fixSpec(doc *openapi3.T) (patterns int, text bool) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(r *openapi3.SchemaRef)
	walk = func(r *openapi3.SchemaRef) {
		if r == nil || r.Value == nil || seen[r.Value] {
			return
		}
		s := r.Value
		seen[s] = true
		if s.Pattern == brokenIndexPattern {
			s.Pattern = `^[0-9]$`
			patterns++
		}
		for _, p := range s.Properties {
			walk(p)
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, p := range group {
				walk(p)
			}
		}
		walk(s.Items)
		walk(s.Not)
	}
	for _, name := range []string{"Message", "TemplateMessage", "TemplateObject", "TemplateComponent", "ButtonComponent"} {
		walk(doc.Components.Schemas[name])
	}
	base := doc.Components.Schemas["BaseMessageProperties"]
	if base == nil {
		return patterns, false
	}
	// InteractiveMessage (reply buttons, how a bot module is sent) has the
	// same defect as TextMessage.
	for _, name := range []string{"TextMessage", "InteractiveMessage"} {
		tm := doc.Components.Schemas[name]
		if tm == nil {
			continue
		}
		for _, part := range tm.Value.AllOf {
			ap := part.Value.AdditionalProperties
			if ap.Has == nil || *ap.Has {
				continue
			}
			for name, p := range base.Value.Properties {
				if _, ok := part.Value.Properties[name]; !ok {
					part.Value.Properties[name] = p
					text = true
				}
			}
		}
	}
	return patterns, text
}

// validateBody validates a POST of body to path as our client sends it.
func validateBody(s *spectest.Spec, path, body string) error {
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1"+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer test-token")
	r.Header.Set("User-Agent", userAgent)
	return s.ValidateRequest(r, []byte(body))
}

func TestSpecFixes(t *testing.T) {
	s := whatsappSpec(t)
	if testSpec.fixedPattern == 0 || !testSpec.fixedText {
		t.Logf("spec defects no longer present (pattern fixes %d, text fix %v): drop fixSpec", testSpec.fixedPattern, testSpec.fixedText)
	}
	for name, body := range probeBodies {
		if testSpec.fixedPattern > 0 && testSpec.fixedText && testSpec.beforeErrs[name] == nil {
			t.Errorf("%s: valid before the fix, so the fix is not needed for it", name)
		}
		if err := validateBody(s, "/v23.0/106540352242922/messages", body); err != nil {
			t.Errorf("%s: refused after the fix: %v", name, err)
		}
	}
	// The fixes must not make the spec lax.
	for _, bad := range []string{
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"1","type":"text","text":{"body":"x"},"surprise":1}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","type":"text","text":{"body":"x"}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"1","type":"text","text":{"body":"x","bold":true}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"1","type":"template","template":{"name":"x","language":{"policy":"deterministic","code":"en"},"components":[{"type":"button","sub_type":"quick_reply","index":"10","parameters":[{"type":"payload","payload":"P"}]}]}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"1","type":"template","template":{"name":"x","language":{"policy":"deterministic","code":"en"},"components":[{"type":"button","sub_type":"quick_reply","index":"x","parameters":[{"type":"payload","payload":"P"}]}]}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"1","type":"template","template":{"name":"x","language":{"policy":"deterministic","code":"en"},"components":[{"type":"button","sub_type":"quick_reply","index":"0","parameters":[{"type":"payload"}]}]}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"1","type":"template","template":{"name":"x","language":{"policy":"deterministic","code":"en"},"components":[{"type":"body","parameters":[{"type":"text"}]}]}}`,
	} {
		if validateBody(s, "/v23.0/106540352242922/messages", bad) == nil {
			t.Errorf("invalid body accepted: %s", bad)
		}
	}
}

// specResponseExample returns the JSON of a named 200 response example of
// GET path in Meta's spec, so fakes answer with Meta's own samples.
func specResponseExample(t testing.TB, path, name string) []byte {
	t.Helper()
	item := whatsappSpec(t).Doc.Paths.Value(path)
	if item == nil || item.Get == nil {
		t.Fatalf("spec has no GET %s", path)
	}
	resp := item.Get.Responses.Status(200)
	if resp == nil || resp.Value == nil {
		t.Fatalf("GET %s has no 200 response", path)
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Examples[name] == nil || mt.Examples[name].Value == nil {
		t.Fatalf("GET %s has no 200 example %q", path, name)
	}
	return mustJSON(t, mt.Examples[name].Value.Value)
}

// mustJSON is a test helper that fails on marshal errors.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
