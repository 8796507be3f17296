package gateway

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/openshell-contrib/supctl/engine"
)

// Options say which gateway to read. The zero value reads the gateway of
// this user: openshell-gateway on PATH, its default files, this process's
// environment.
type Options struct {
	// Config is the gateway's --config, if its service passes one.
	Config string
	// Binary is the gateway's program; "" looks for openshell-gateway on
	// the PATH of Env. NoVersion leaves it unrun.
	Binary    string
	NoVersion bool
	// Env is the environment the gateway is started from (default: this
	// process's). Its env file is applied over it.
	Env Env
	// HomebrewPrefix is the Homebrew prefix the gateway is installed
	// under; "" derives it from the binary (<prefix>/bin/openshell-gateway
	// with a <prefix>/var/openshell directory).
	HomebrewPrefix string
	// WorkDir is the gateway's working directory (default $HOME, a
	// service's), for the cargo-target tier.
	WorkDir string
	// VersionTimeout bounds --version (default [DefaultVersionTimeout]).
	VersionTimeout time.Duration
	// NoEngine asks no engine for image IDs (the extraction the gateway
	// mounts is then not known).
	NoEngine bool
}

// Gateway is the OpenShell gateway as it ships, read the way it reads
// itself. Fields a check could not fill say why in their Error or Note.
type Gateway struct {
	Binary Binary `json:"binary"`
	// Packaging is how the gateway is started: "homebrew" (the formula's
	// service wrapper), "systemd" (the deb and rpm user units, for a
	// binary at /usr/bin/openshell-gateway) or "" (by hand).
	Packaging      string  `json:"packaging,omitempty"`
	HomebrewPrefix string  `json:"homebrew_prefix,omitempty"`
	Config         Config  `json:"config"`
	EnvFile        EnvFile `json:"env_file"`
	Driver         Driver  `json:"driver"`
	// Engine is the engine the gateway's Docker or Podman driver talks
	// to, and whether supctl's discovery (which also honours Docker
	// contexts) finds another one.
	Engine EngineChoice `json:"engine"`
	// Mount is the supervisor the driver will put in sandboxes (nil for
	// drivers that do not take one from this host).
	Mount *Mount `json:"mount,omitempty"`
	// DataDir is $XDG_DATA_HOME/openshell, where the extractions are.
	DataDir     string       `json:"data_dir"`
	Extractions []Extraction `json:"extractions"`
	JWT         JWT          `json:"jwt"`
}

// EngineChoice is the gateway's engine beside supctl's.
type EngineChoice struct {
	Socket string `json:"socket,omitempty"`
	Source string `json:"source,omitempty"`
	// Answer is what answered a ping at Socket ([Ping]).
	Answer string `json:"answer,omitempty"`
	// Supctl is the endpoint supctl's discovery chooses from this
	// process's environment (package engine), and Differ true when it is
	// not the gateway's socket: images pulled or checked through one are
	// not those the other sees.
	Supctl      *engine.Endpoint `json:"supctl,omitempty"`
	SupctlError string           `json:"supctl_error,omitempty"`
	Differ      bool             `json:"differ"`
}

// Read reads the gateway: its program's version, its env file and the
// environment that makes, its config file, the driver it will use, the
// supervisor that driver will mount, its extractions and its sandbox JWT
// material. It changes nothing and contacts no registry: it runs the
// gateway's program with --version (unless NoVersion), pings the engine
// sockets the gateway would, and asks the gateway's engine for the ID of
// the supervisor image (unless NoEngine).
func Read(ctx context.Context, o Options) (*Gateway, error) {
	shell := o.Env
	if shell == nil {
		shell = OSEnv()
	}
	if o.VersionTimeout <= 0 {
		o.VersionTimeout = DefaultVersionTimeout
	}
	g := &Gateway{Extractions: []Extraction{}}
	g.Binary = findBinary(o.Binary, shell)
	if g.Binary.Path != "" && !o.NoVersion {
		v, err := gatewayVersion(ctx, g.Binary.Path, o.VersionTimeout)
		if err != nil {
			g.Binary.Error = err.Error()
		}
		g.Binary.Version = v
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g.HomebrewPrefix = o.HomebrewPrefix
	if g.HomebrewPrefix == "" && g.Binary.Path != "" {
		p := filepath.Dir(filepath.Dir(g.Binary.Path))
		if fi, err := os.Stat(filepath.Join(p, "var", "openshell")); err == nil && fi.IsDir() {
			g.HomebrewPrefix = p
		}
	}
	base := shell.With(nil)
	switch {
	case g.HomebrewPrefix != "":
		g.Packaging = "homebrew"
	case g.Binary.Path == "/usr/bin/"+BinaryName:
		g.Packaging = "systemd"
		// Environment= of the unit, before its EnvironmentFile=
		// (deploy/deb/openshell-gateway.service, openshell.spec).
		if h, ok := shell.Lookup("HOME"); ok {
			base["OPENSHELL_LOCAL_TLS_DIR"] = filepath.Join(h, ".local", "state", "openshell", "tls")
		}
	}
	g.EnvFile = locateEnvFile(shell, g.HomebrewPrefix)
	env := base.With(g.EnvFile.Vars)
	if g.Packaging == "homebrew" {
		// OPENSHELL_LOCAL_TLS_DIR defaults to the service's copy of the
		// prefix's TLS directory (tasks/scripts/release.py).
		if _, ok := env.Lookup("OPENSHELL_LOCAL_TLS_DIR"); !ok {
			if h, ok := env.Lookup("HOME"); ok {
				env["OPENSHELL_LOCAL_TLS_DIR"] = filepath.Join(h, ".local", "state", "openshell", "homebrew", "tls")
			}
		}
	}
	g.Config = readConfig(locateConfig(o.Config, env, g.HomebrewPrefix))
	g.Driver = chooseDriver(ctx, env, g.EnvFile, g.Config, os.Getuid(), runtime.GOOS, Ping)
	g.JWT = readJWT(env, g.Config, g.HomebrewPrefix)
	g.DataDir = env.DataDir()
	ex, err := ListExtractions(ctx, g.DataDir)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	g.Extractions = append(g.Extractions, ex...)

	if g.Driver.Name == "docker" || g.Driver.Name == "podman" {
		g.Engine.Socket, g.Engine.Source = driverSocket(ctx, g.Driver.Name, env, g.Config, os.Getuid(), runtime.GOOS, Ping)
		if g.Engine.Socket != "" {
			g.Engine.Answer = Ping(ctx, g.Engine.Socket)
		}
		if ep, err := engine.Discover(engine.Auto, engine.FromOS()); err == nil {
			g.Engine.Supctl = &ep
			g.Engine.Differ = !sameSocket(ep, g.Engine.Socket)
		} else {
			g.Engine.SupctlError = err.Error()
		}
	}
	workDir := o.WorkDir
	if workDir == "" {
		workDir = env.Get("HOME")
	}
	switch g.Driver.Name {
	case "docker":
		m := dockerMount(g.Config, g.Binary.Path, g.Binary.Version, workDir, runtime.GOARCH, runtime.GOOS)
		g.Mount = &m
	case "podman":
		m := podmanMount(g.Config, g.Binary.Version)
		g.Mount = &m
	}
	if g.Mount != nil && g.Mount.Image != "" && !o.NoEngine {
		g.imageID(ctx)
	}
	return g, nil
}

// findBinary is the gateway's program: the path given, else
// openshell-gateway on PATH.
func findBinary(given string, env Env) Binary {
	if given != "" {
		b := Binary{Path: given, Source: "given"}
		if abs, err := filepath.Abs(given); err == nil {
			b.Path = abs
		}
		if _, err := os.Stat(b.Path); err != nil {
			b.Error = err.Error()
			b.Path = ""
		}
		return b
	}
	for _, dir := range filepath.SplitList(env.Get("PATH")) {
		p := filepath.Join(dir, BinaryName)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			if !filepath.IsAbs(p) {
				continue
			}
			return Binary{Path: p, Source: "PATH"}
		}
	}
	return Binary{Error: BinaryName + " is not on PATH: " + exec.ErrNotFound.Error()}
}

// sameSocket reports whether ep is the unix socket path (the same file,
// through any symlinks).
func sameSocket(ep engine.Endpoint, path string) bool {
	if ep.Socket == "" || path == "" {
		return false
	}
	a, err1 := filepath.EvalSymlinks(ep.Socket)
	b, err2 := filepath.EvalSymlinks(path)
	if err1 != nil || err2 != nil {
		return filepath.Clean(ep.Socket) == filepath.Clean(path)
	}
	return a == b
}

// The answers of [Mount.Lookup].
const (
	LookupFound    = "found"
	LookupNotLocal = "not-local"
	LookupNoEngine = "no-engine"
)

// imageID asks the gateway's engine for the ID of the mount's image and
// finds the extraction the driver would use for it.
func (g *Gateway) imageID(ctx context.Context) {
	m := g.Mount
	m.Lookup = LookupNoEngine
	if g.Engine.Socket == "" || g.Engine.Answer == AnswerNoSocket || g.Engine.Answer == AnswerNone {
		m.Note = "the gateway's engine does not answer: which extraction it would mount is not known"
		return
	}
	ep := engine.Endpoint{Host: "unix://" + g.Engine.Socket, Source: engine.SourceSocket, Socket: g.Engine.Socket}
	eng, err := engine.OpenEndpoint(ctx, ep)
	if err != nil {
		m.Note = "the gateway's engine: " + err.Error()
		return
	}
	defer eng.Close()
	img, err := eng.Image(ctx, m.Image)
	if err != nil {
		m.Note = "the gateway's engine does not have " + m.Image + ": the gateway would pull it at its next start"
		m.Lookup = LookupNotLocal
		return
	}
	m.ImageID, m.Lookup = img.ID, LookupFound
	if m.Driver == "podman" && m.Note == "" {
		return // mounted as an image
	}
	p := ExtractionPath(g.DataDir, m.Driver, img.ID)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		m.Path = p
	} else {
		m.Note = "no extraction for image " + img.ID + " yet: the gateway extracts it at its next start"
	}
	if m.Refresh {
		m.Note = "the tag is mutable: the gateway pulls it at every start, and mounts the extraction of whatever it gets"
	}
}
