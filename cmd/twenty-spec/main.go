// Command twenty-spec writes openapi.yaml from a Twenty data model: the
// standard model committed in this repository, a model file, or a live
// workspace read through its metadata API.
//
//	twenty-spec -o openapi.yaml                  # the standard model
//	twenty-spec -from-env -o openapi.yaml        # TWENTY_BASE_URL + TWENTY_API_KEY
//	twenty-spec -from-env -objects invoices,projects -o openapi.yaml
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/authn"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/specgen"
)

type config struct {
	out, modelFile, writeModel, objects string
	fromEnv, includeSystem              bool
	lookup                              func(string) (string, bool)
}

func main() {
	var c config
	flag.StringVar(&c.out, "o", "", "write the spec to this file instead of stdout")
	flag.StringVar(&c.modelFile, "model", "", "read the data model from this JSON file")
	flag.BoolVar(&c.fromEnv, "from-env", false, "read the data model of the workspace at TWENTY_BASE_URL with TWENTY_API_KEY")
	flag.StringVar(&c.objects, "objects", "", "with -from-env: comma-separated plural names of the objects to add to the standard ones (default: every active object)")
	flag.BoolVar(&c.includeSystem, "include-system", false, "with -from-env: keep system objects too")
	flag.StringVar(&c.writeModel, "write-model", "", "also write the data model used to this JSON file")
	flag.Parse()
	c.lookup = os.LookupEnv
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
	var opts metamodel.Options
	opts.IncludeSystem = c.includeSystem
	if c.objects != "" {
		// The standard objects stay, so code written against them (and
		// this module's own packages) keeps compiling.
		for _, o := range model.Standard().Objects {
			opts.Objects = append(opts.Objects, o.NamePlural)
		}
		for _, p := range strings.Split(c.objects, ",") {
			if p = strings.TrimSpace(p); p != "" {
				opts.Objects = append(opts.Objects, p)
			}
		}
	}
	return metamodel.ToModel(objects, opts)
}

// errNoPermission explains the usual cause of a refused metadata read.
var errNoPermission = errors.New("reading the data model needs an API key whose role may read the workspace's data model settings")

// fetchObjects reads every object (fields inline) through the generated
// client alone: this command must run even when the root package does not
// compile against a freshly regenerated api/.
func fetchObjects(ctx context.Context, lookup func(string) (string, bool)) ([]api.ObjectMetadata, error) {
	cfg, err := authn.FromLookup(lookup)
	if err != nil {
		return nil, err
	}
	client, err := api.NewClientWithResponses(cfg.BaseURL,
		api.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
		api.WithRequestEditorFn(api.RequestEditorFn(cfg.Credential.RequestEditor())))
	if err != nil {
		return nil, err
	}
	var all []api.ObjectMetadata
	limit := 200
	params := &api.FindManyObjectsParams{Limit: &limit}
	for page := 0; ; page++ {
		resp, err := client.FindManyObjectsWithResponse(ctx, params)
		if err != nil {
			return nil, fmt.Errorf("reading the data model: %w", err)
		}
		if resp.JSON200 == nil {
			cause := authn.Classify(resp.StatusCode(), resp.Body)
			if cause == nil {
				cause = fmt.Errorf("status %d: %.200s", resp.StatusCode(), resp.Body)
			}
			if resp.StatusCode() == http.StatusForbidden || resp.StatusCode() == http.StatusUnauthorized {
				return nil, fmt.Errorf("%w: %w", errNoPermission, cause)
			}
			return nil, fmt.Errorf("reading the data model: %w", cause)
		}
		items, info, err := objectsPage(resp.JSON200)
		if err != nil {
			return nil, fmt.Errorf("reading the data model: %w", err)
		}
		all = append(all, items...)
		if info == nil || info.HasNextPage == nil || !*info.HasNextPage || len(items) == 0 || page > 1000 {
			return all, nil
		}
		next := items[len(items)-1].ID
		params.StartingAfter = &next
	}
}

// objectsPage reads either list envelope: {data:[...]} or {data:{objects:[...]}}.
func objectsPage(r *api.FindManyObjectsResult) ([]api.ObjectMetadata, *api.MetadataPageInfo, error) {
	if u, err := r.AsFindManyObjectsUnified(); err == nil {
		return u.Data, u.PageInfo, nil
	}
	l, err := r.AsFindManyObjectsLegacy()
	if err != nil {
		return nil, nil, err
	}
	return l.Data.Objects, l.PageInfo, nil
}
