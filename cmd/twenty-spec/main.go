// Command twenty-spec writes openapi.yaml from a Twenty data model: the
// standard model committed in this repository, a model file, or a live
// workspace (any release from 1.x to 2.43) read through its metadata API.
// With -pkg it writes a whole Go package instead: the spec, the types and
// client oapi-codegen makes of it, and typed accessors over twenty.Resource
// for every object, custom ones included.
//
//	twenty-spec -o openapi.yaml                  # the standard model
//	twenty-spec -from-env -o openapi.yaml        # TWENTY_BASE_URL + TWENTY_API_KEY
//	twenty-spec -from-env -objects invoices,projects -o openapi.yaml
//	twenty-spec -from-env -pkg crm -o ./crm      # a package in your own module
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/specgen"
)

type config struct {
	out, modelFile, writeModel, objects, pkg string
	fromEnv, includeSystem                   bool
	lookup                                   func(string) (string, bool)
	warn                                     func(string)
}

func main() {
	var c config
	flag.StringVar(&c.out, "o", "", "write the spec to this file instead of stdout")
	flag.StringVar(&c.modelFile, "model", "", "read the data model from this JSON file")
	flag.BoolVar(&c.fromEnv, "from-env", false, "read the data model of the workspace at TWENTY_BASE_URL with TWENTY_API_KEY")
	flag.StringVar(&c.objects, "objects", "", "with -from-env: comma-separated plural names of the objects to add to the standard ones (default: every active object)")
	flag.BoolVar(&c.includeSystem, "include-system", false, "with -from-env: keep system objects too")
	flag.StringVar(&c.writeModel, "write-model", "", "also write the data model used to this JSON file")
	flag.StringVar(&c.pkg, "pkg", "", "write a Go package of this name into the directory -o: the spec, its types and client, and typed accessors")
	flag.Parse()
	c.lookup = os.LookupEnv
	c.warn = func(s string) { fmt.Fprintln(os.Stderr, "twenty-spec: warning:", s) }
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "twenty-spec:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	m, err := loadModel(ctx, c)
	if err != nil {
		return err
	}
	if c.writeModel != "" {
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.writeModel, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	spec, err := specgen.Generate(m, specgen.Options{})
	if err != nil {
		return err
	}
	if c.pkg != "" {
		if c.out == "" {
			return errors.New("-pkg needs -o, the package's directory")
		}
		return writePackage(c.out, c.pkg, spec)
	}
	if c.out == "" {
		_, err = os.Stdout.Write(spec)
		return err
	}
	return os.WriteFile(c.out, spec, 0o644)
}

func loadModel(ctx context.Context, c config) (*model.Model, error) {
	switch {
	case c.fromEnv && c.modelFile != "":
		return nil, errors.New("-from-env and -model are exclusive")
	case c.modelFile != "":
		data, err := os.ReadFile(c.modelFile)
		if err != nil {
			return nil, err
		}
		return model.Parse(data)
	case !c.fromEnv:
		return model.Standard(), nil
	}
	objects, err := fetchObjects(ctx, c.lookup)
	if err != nil {
		return nil, err
	}
	opts := metamodel.Options{IncludeSystem: c.includeSystem, Warn: c.warn}
	if c.objects != "" {
		// The standard objects stay when the workspace has them, so code
		// written against them keeps compiling; those a newer server dropped
		// (favorites since 2.7) are not demanded.
		for _, o := range model.Standard().Objects {
			opts.Also = append(opts.Also, o.NamePlural)
		}
		for _, p := range strings.Split(c.objects, ",") {
			if p = strings.TrimSpace(p); p != "" {
				opts.Objects = append(opts.Objects, p)
			}
		}
	}
	if needsTargets(objects) {
		// 2.43's metadata names no relation targets; the workspace's own
		// OpenAPI document does.
		doc, err := fetchOpenAPI(ctx, c.lookup)
		if err != nil {
			return nil, err
		}
		if opts.Targets, err = metamodel.TargetsFromOpenAPI(doc); err != nil {
			return nil, err
		}
	}
	m, err := metamodel.Convert(objects, opts)
	if err != nil || c.pkg != "" {
		return m, err
	}
	// This module's own api/ (make spec): the standard objects and fields
	// the handwritten code uses stay, even where the workspace dropped them.
	return m, metamodel.KeepBase(m, model.Standard())
}

// needsTargets reports whether some relation field comes without its
// target, as every one does from 2.43.
func needsTargets(objects []metamodel.Object) bool {
	for _, o := range objects {
		for _, f := range o.Fields {
			if (f.Type == string(model.Relation) || f.Type == string(model.MorphRelation)) && f.RelationTargetObjectMetadataID == "" &&
				(f.Relation == nil || f.Relation.TargetObjectMetadata == nil) {
				return true
			}
		}
	}
	return false
}

// errNoPermission explains the usual cause of a refused metadata read.
var errNoPermission = errors.New("reading the data model needs an API key whose role may read the workspace's data model settings")

// fetchObjects reads every object (fields inline) through the generated
// client alone: this command must run even when the root package does not
// compile against a freshly regenerated api/. The pages are decoded by
// metamodel, which reads what every release sends (both envelopes, with or
// without relation blocks).
func fetchObjects(ctx context.Context, lookup func(string) (string, bool)) ([]metamodel.Object, error) {
	client, err := newClient(lookup)
	if err != nil {
		return nil, err
	}
	var all []metamodel.Object
	limit := 200
	params := &api.FindManyObjectsParams{Limit: &limit}
	for page := 0; ; page++ {
		resp, err := client.FindManyObjectsWithResponse(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("reading the data model: %w", err)
		}
		if resp.StatusCode() != http.StatusOK {
			return nil, refused("reading the data model", resp.StatusCode(), resp.Body)
		}
		items, hasNext, err := metamodel.ObjectsPage(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("reading the data model: %w", err)
		}
		all = append(all, items...)
		if !hasNext || len(items) == 0 || page > 1000 {
			return all, nil
		}
		var next openapi_types.UUID
		if err := next.UnmarshalText([]byte(items[len(items)-1].ID)); err != nil {
			return nil, fmt.Errorf("reading the data model: object id %q: %w", items[len(items)-1].ID, err)
		}
		params.StartingAfter = &next
	}
}

// fetchOpenAPI reads the workspace's own OpenAPI document.
func fetchOpenAPI(ctx context.Context, lookup func(string) (string, bool)) ([]byte, error) {
	cfg, err := authn.FromLookup(lookup)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.BaseURL, "/")+"/rest/open-api/core", nil)
	if err != nil {
		return nil, err
	}
	if err := cfg.Credential.RequestEditor()(ctx, req); err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the workspace's OpenAPI document: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the workspace's OpenAPI document: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, refused("reading the workspace's OpenAPI document", resp.StatusCode, body)
	}
	return body, nil
}

func newClient(lookup func(string) (string, bool)) (*api.ClientWithResponses, error) {
	cfg, err := authn.FromLookup(lookup)
	if err != nil {
		return nil, err
	}
	return api.NewClientWithResponses(cfg.BaseURL,
		api.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
		api.WithRequestEditorFn(api.RequestEditorFn(cfg.Credential.RequestEditor())))
}

// refused explains a failed read; the body is the server's, never the key.
func refused(what string, status int, body []byte) error {
	cause := authn.Classify(status, body)
	if cause == nil {
		cause = fmt.Errorf("status %d: %.200s", status, body)
	}
	if status == http.StatusForbidden || status == http.StatusUnauthorized {
		return fmt.Errorf("%w: %w", errNoPermission, cause)
	}
	return fmt.Errorf("%s: %w", what, cause)
}
