// Package spectest validates the HTTP requests omnicast's platform clients
// build against the platforms' official OpenAPI specs (copied into specs/,
// see specs/SOURCES.md). It is used by tests only.
package spectest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed specs
var specFiles embed.FS

// Spec files.
const (
	LINEMessaging = "specs/line/messaging-api.yml"
	LINEWebhook   = "specs/line/webhook.yml"
	WhatsApp      = "specs/whatsapp/business-messaging-api_v23.0.yaml"
)

// Spec is a loaded OpenAPI document with its router.
type Spec struct {
	Doc    *openapi3.T
	router routers.Router
	origin string // scheme://host of the spec's first server
}

type loaded struct {
	once sync.Once
	spec *Spec
	err  error
}

// cache keeps each spec parsed once per test binary; loading the WhatsApp
// spec takes a while.
var cache = map[string]*loaded{LINEMessaging: {}, LINEWebhook: {}, WhatsApp: {}}

// Load parses one of the spec files.
func Load(name string) (*Spec, error) {
	l, ok := cache[name]
	if !ok {
		return nil, fmt.Errorf("spectest: unknown spec %q", name)
	}
	l.once.Do(func() { l.spec, l.err = load(name) })
	return l.spec, l.err
}

func load(name string) (*Spec, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		return specFiles.ReadFile(path.Clean(strings.TrimPrefix(u.Path, "/")))
	}
	doc, err := loader.LoadFromFile(name)
	if err != nil {
		return nil, fmt.Errorf("spectest: load %s: %w", name, err)
	}
	if len(doc.Servers) == 0 {
		return nil, fmt.Errorf("spectest: %s has no servers", name)
	}
	// Route on the path alone: our clients talk to loopback test servers.
	origin := doc.Servers[0].URL
	doc.Servers = openapi3.Servers{{URL: origin}}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			op.Servers = nil
		}
		item.Servers = nil
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("spectest: route %s: %w", name, err)
	}
	return &Spec{Doc: doc, router: router, origin: origin}, nil
}

// ValidateRequest checks method, path, query, headers and JSON body of a
// request against the spec. Authentication is not checked here (the
// clients' own tests check their Authorization headers).
func (s *Spec) ValidateRequest(r *http.Request, body []byte) error {
	u, err := url.Parse(s.origin + r.URL.RequestURI())
	if err != nil {
		return err
	}
	req := r.Clone(context.Background())
	req.URL = u
	req.Host = u.Host
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("spectest: %s %s: no such operation in spec: %w", r.Method, r.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return fmt.Errorf("spectest: %s %s: %w", r.Method, r.URL.Path, err)
	}
	if route.Operation.RequestBody != nil && len(body) > 0 {
		mt := route.Operation.RequestBody.Value.Content.Get("application/json")
		if mt != nil && mt.Schema != nil {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				return fmt.Errorf("spectest: body is not JSON: %w", err)
			}
			if err := s.ValidateDiscriminated(mt.Schema.Value, v, "body"); err != nil {
				return err
			}
		}
	}
	return nil
}

// ValidateSchema validates a JSON value against a named component schema,
// applying discriminators too.
func (s *Spec) ValidateSchema(name string, v any) error {
	ref, ok := s.Doc.Components.Schemas[name]
	if !ok {
		return fmt.Errorf("spectest: no schema %q", name)
	}
	if err := ref.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("spectest: %s: %w", name, err)
	}
	return s.ValidateDiscriminated(ref.Value, v, name)
}

// ValidateDiscriminated walks v alongside schema and, wherever the schema
// has a discriminator (LINE's Message, Action, Template, …), validates the
// object against the schema its mapping names. kin-openapi does not apply
// discriminators by itself, so without this a LINE message of type "text"
// lacking its "text" would pass.
func (s *Spec) ValidateDiscriminated(schema *openapi3.Schema, v any, at string) error {
	if schema == nil {
		return nil
	}
	switch val := v.(type) {
	case map[string]any:
		if d := schema.Discriminator; d != nil {
			typ, _ := val[d.PropertyName].(string)
			target, ok := d.Mapping[typ]
			if !ok {
				return fmt.Errorf("spectest: %s: %s %q is not one of the spec's mapped values", at, d.PropertyName, typ)
			}
			sub := s.resolve(target.Ref)
			if sub == nil {
				return fmt.Errorf("spectest: %s: cannot resolve %s", at, target.Ref)
			}
			if err := sub.VisitJSON(val, openapi3.MultiErrors()); err != nil {
				return fmt.Errorf("spectest: %s (%s=%s): %w", at, d.PropertyName, typ, err)
			}
			if err := s.walkProperties(sub, val, at); err != nil {
				return err
			}
		}
		return s.walkProperties(schema, val, at)
	case []any:
		if schema.Items != nil {
			for i, item := range val {
				if err := s.ValidateDiscriminated(schema.Items.Value, item, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Spec) walkProperties(schema *openapi3.Schema, obj map[string]any, at string) error {
	for name, prop := range schema.Properties {
		if child, ok := obj[name]; ok && prop.Value != nil {
			if err := s.ValidateDiscriminated(prop.Value, child, at+"."+name); err != nil {
				return err
			}
		}
	}
	for _, part := range schema.AllOf {
		if part.Value != nil && part.Value.Discriminator == nil {
			if err := s.walkProperties(part.Value, obj, at); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Spec) resolve(ref string) *openapi3.Schema {
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return nil
	}
	if r := s.Doc.Components.Schemas[name]; r != nil {
		return r.Value
	}
	return nil
}
