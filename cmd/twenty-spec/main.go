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
	"os"
	"strings"
	"time"

	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/internal/metamodel"
	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/specgen"
)

type config struct {
	out, modelFile, writeModel, objects string
	fromEnv, includeSystem              bool
	clientOpts                          []twenty.Option // tests point the client at a fake
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
	client, err := twenty.NewClientFromEnv(c.clientOpts...)
	if err != nil {
		return nil, err
	}
	objects, err := client.Metadata().ListObjects(ctx)
	if errors.Is(err, twenty.ErrForbidden) || errors.Is(err, twenty.ErrUnauthorized) {
		return nil, fmt.Errorf("reading the data model needs an API key whose role may read the workspace's settings (data model): %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the data model: %w", err)
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
