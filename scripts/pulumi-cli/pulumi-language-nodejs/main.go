// pulumi-language-nodejs: a small Node.js language host for the Pulumi CLI that
// scripts/ensure-pulumi.sh builds.
//
// Why this exists: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), which has
// no release tags and which the Go module proxy this project can reach refuses
// to serve (403), while pkg/v3 and sdk/v3 are served. Prebuilt CLI downloads are
// not reachable either. So we build the CLI from pkg/v3 and pair it with this
// host, written against the sdk/v3 API of the same release.
//
// What it covers: everything a `pulumi preview/up/refresh/destroy` of a
// Node.js/TypeScript program needs (Run, plugin discovery, About, dependency
// listing and installation, Cancel). The heavy lifting -- ts-node, config,
// connecting to the engine -- is done by @pulumi/pulumi/cmd/run inside the
// program's own node_modules, exactly as with the upstream host; this process
// only launches it with the arguments and environment that script expects.
//
// Code generation: GeneratePackage only (generate.go), so `pulumi package gen-sdk
// --language nodejs` works. Not covered (return gRPC Unimplemented): GenerateProject,
// GenerateProgram, Pack, Link, Template and RunPlugin, i.e. `pulumi convert` and
// Node.js policy packs or component providers run from source. Install the official CLI for those:
// https://www.pulumi.com/docs/install/
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/shlex"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	// Resolved from the program directory, so the SDK version the program pinned
	// in its package.json is the one that runs it.
	runModule = "@pulumi/pulumi/cmd/run"

	// @pulumi/pulumi/cmd/run exits with this code after it has already reported
	// the error to the engine; the engine must then not print a second error.
	exitCodeErrorAlreadyReported = 32
)

func main() {
	// The engine launches language plugins as `<bin> [--logtostderr] [-v=N]
	// [--tracing URL] <engine-address>`; glog (imported via the sdk's logging
	// package) defines logtostderr and v on the default flag set.
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	showVersion := flag.Bool("version", false, "Print the plugin version and exit")
	// Accepted and ignored: older engines passed these; refusing them would make
	// the plugin exit before it printed its port.
	_ = flag.String("root", "", "ignored")
	_ = flag.String("runtime", "nodejs", "ignored")
	flag.Parse()

	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-nodejs", "pulumi-language-nodejs", *tracing)

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()

	host := newHost(engineAddress, *tracing)

	// If the CLI dies without closing us (SIGKILL, OOM kill), nothing will ever call Cancel: stop the program and
	// exit within seconds rather than run on with nobody recording what it registers. On Unix the parent's death
	// shows at once as a new parent pid; the engine health check also covers systems where it does not.
	abandoned := func() { host.abandon(cancel) }
	watchParent(abandoned)
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, engineCheckInterval, abandoned); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The engine reads exactly one line from stdout: the port to dial.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

const (
	parentCheckInterval = 250 * time.Millisecond
	engineCheckInterval = 5 * time.Second
	// How long a program abandoned by a dead CLI gets to stop after SIGINT before it is killed.
	abandonGrace = 2 * time.Second
)

// watchParent calls gone once the process that started this one has exited (we were re-parented).
func watchParent(gone func()) {
	parent := os.Getppid()
	go func() {
		for {
			time.Sleep(parentCheckInterval)
			if os.Getppid() != parent {
				gone()
				return
			}
		}
	}()
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
	// Programs currently running, so an abandoned host can kill what SIGINT did not stop.
	programs map[*os.Process]struct{}

	// Cancelled by the Cancel RPC; running programs get SIGINT.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc

	abandonOnce sync.Once
}

func newHost(engineAddress, tracing string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{
		engineAddress: engineAddress, tracing: tracing, cancelCtx: ctx, cancelFunc: cancel,
		programs: map[*os.Process]struct{}{},
	}
}

// abandon ends this host when the engine is gone: SIGINT to running programs, stop serving, then after a short
// grace kill whatever still runs and exit. A graceful stop alone would wait for Run, i.e. for the program.
func (h *host) abandon(stopServing context.CancelFunc) {
	h.abandonOnce.Do(func() {
		logging.V(3).Infof("language host: the Pulumi CLI is gone; stopping")
		h.cancelFunc()
		stopServing()
		go func() {
			time.Sleep(abandonGrace)
			h.mu.Lock()
			for p := range h.programs {
				_ = p.Kill()
			}
			h.mu.Unlock()
			os.Exit(1)
		}()
	})
}

func (h *host) tracked(p *os.Process, running bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if running {
		h.programs[p] = struct{}{}
	} else {
		delete(h.programs, p)
	}
}

// Handshake is only used when the engine attaches to an already running host
// (PULUMI_DEBUG_LANGUAGES); it is how we learn the engine address then.
func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

// nodeOptions are the `runtime.options` of a Pulumi.yaml with `runtime: nodejs`.
type nodeOptions struct {
	typescript     bool
	tsconfig       string
	nodeargs       string
	packagemanager npm.PackageManagerType
}

func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packagemanager: npm.AutoPackageManager}
	raw := info.GetOptions().AsMap()
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("runtime option 'typescript' must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("runtime option 'tsconfig' must be a string")
		}
		opts.tsconfig = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("runtime option 'nodeargs' must be a string")
		}
		opts.nodeargs = s
	}
	if v, ok := raw["packagemanager"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("runtime option 'packagemanager' must be a string")
		}
		switch pm := npm.PackageManagerType(s); pm {
		case npm.AutoPackageManager, npm.NpmPackageManager, npm.YarnPackageManager,
			npm.PnpmPackageManager, npm.BunPackageManager:
			opts.packagemanager = pm
		default:
			return opts, fmt.Errorf("runtime option 'packagemanager' must be one of auto, npm, yarn, pnpm or bun, got %q", s)
		}
	}
	return opts, nil
}

// resolveModule asks node itself where a module is, from dir, so that package
// manager layouts (workspaces, hoisting, pnpm symlinks) are handled by node's
// own resolution rather than guessed at here.
func resolveModule(nodeBin, dir, module string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (e) { `+
		`if (e.code === "MODULE_NOT_FOUND") { console.error("It looks like the Pulumi SDK has not been installed `+
		`in %s. Have you run npm install (or pulumi install)?"); } else { console.error(e.message); } process.exit(1); }`,
		module, filepath.ToSlash(dir))
	cmd := exec.Command(nodeBin, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return nil, errors.New("RunRequest.info is required (this host needs a Pulumi CLI >= 3.100)")
	}
	h.mu.Lock()
	engineAddress := h.engineAddress
	h.mu.Unlock()

	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	opts, err := parseOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = runModule
	}
	runPath, err = resolveModule(nodeBin, info.GetProgramDirectory(), runPath)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	nodeArgs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "runtime option 'nodeargs': " + err.Error()}, nil
	}
	if req.GetAttachDebugger() {
		return &pulumirpc.RunResponse{Error: "attaching a debugger is not supported by this language host"}, nil
	}

	// The flags @pulumi/pulumi/cmd/run understands (see its usage()). The SDK
	// talks to the engine's resource monitor directly; upstream's monitor proxy
	// and --sync pipes only served synchronous invokes, which the SDK no longer has.
	args := append(nodeArgs, runPath)
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	entryPoint := info.GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	configJSON, err := configEnv(req)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize secret config keys: " + err.Error()}, nil
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+configJSON,
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	logging.V(5).Infof("language host launching: %s %s", nodeBin, strings.Join(args, " "))

	// Stop node if either the engine cancels (Cancel RPC) or the Run call goes away.
	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	stopAfter := context.AfterFunc(ctx, cmdCancel)
	defer stopAfter()

	cmd := exec.CommandContext(cmdCtx, nodeBin, args...)
	cmd.Env = env
	// SIGINT first so the SDK can tell the engine it is shutting down.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// Wrapped rather than assigned: given an *os.File, exec hands node the
	// descriptor itself, and node switches it to non-blocking mode, which then
	// breaks our own writes to the shared descriptor. A wrapper makes exec copy
	// through a pipe. The engine turns our stdout/stderr lines into the
	// program's console output.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	err = cmd.Start()
	if err == nil {
		h.tracked(cmd.Process, true)
		err = cmd.Wait()
		h.tracked(cmd.Process, false)
	}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("problem executing program (could not run %s): %v", nodeBin, err),
			}, nil
		}
		switch code := ee.ExitCode(); code {
		case exitCodeErrorAlreadyReported:
			return &pulumirpc.RunResponse{Bail: true}, nil
		case -1:
			return &pulumirpc.RunResponse{Error: "Program was terminated: " + ee.Error()}, nil
		default:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
	}
	return &pulumirpc.RunResponse{}, nil
}

// configEnv renders config the way @pulumi/pulumi reads PULUMI_CONFIG: a JSON
// object of "<namespace>:config:<name>" keys (the SDK accepts this legacy form
// from every version, the short "<namespace>:<name>" form only from newer ones).
func configEnv(req *pulumirpc.RunRequest) (string, error) {
	out := make(map[string]string, len(req.GetConfig()))
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// GetRequiredPackages lists the resource plugins the program's npm packages
// declare ("pulumi": {"resource": true} in their package.json), so the engine
// can install them before running the program rather than on first use.
func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	var pkgs []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	var walk func(nodeModules string)
	walk = func(nodeModules string) {
		real, err := filepath.EvalSymlinks(nodeModules)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		entries, err := os.ReadDir(real)
		if err != nil {
			return
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			pkgDirs := []string{filepath.Join(real, name)}
			if strings.HasPrefix(name, "@") { // a scope: its children are the packages
				pkgDirs = nil
				scoped, err := os.ReadDir(filepath.Join(real, name))
				if err != nil {
					continue
				}
				for _, s := range scoped {
					pkgDirs = append(pkgDirs, filepath.Join(real, name, s.Name()))
				}
			}
			for _, pd := range pkgDirs {
				if dep := pluginOf(filepath.Join(pd, "package.json")); dep != nil {
					pkgs = append(pkgs, dep)
				}
				walk(filepath.Join(pd, "node_modules"))
			}
		}
	}
	walk(filepath.Join(dir, "node_modules"))
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func pluginOf(packageJSON string) *pulumirpc.PackageDependency {
	b, err := os.ReadFile(packageJSON)
	if err != nil {
		return nil
	}
	var pkg struct {
		Name    string                  `json:"name"`
		Version string                  `json:"version"`
		Pulumi  plugin.PulumiPluginJSON `json:"pulumi"`
	}
	if json.Unmarshal(b, &pkg) != nil || !pkg.Pulumi.Resource {
		return nil
	}
	name := pkg.Pulumi.Name
	if name == "" {
		// Only @pulumi/* packages may leave the plugin name implicit.
		if !strings.HasPrefix(pkg.Name, "@pulumi/") {
			logging.V(3).Infof("%s: pulumi.resource is set but pulumi.name is missing; skipped", packageJSON)
			return nil
		}
		name = strings.TrimPrefix(pkg.Name, "@pulumi/")
	}
	ver := pkg.Pulumi.Version
	if ver == "" {
		ver = pkg.Version
	}
	if ver != "" && !strings.HasPrefix(ver, "v") {
		ver = "v" + ver
	}
	dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: ver, Server: pkg.Pulumi.Server}
	if p := pkg.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	if p := pkg.Pulumi.ExtensionParameterization; p != nil {
		dep.Extension = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep
}

// About feeds `pulumi about` and the runtime metadata recorded with each update.
func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("failed to get node version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies feeds `pulumi about`; read from the lock file.
func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	info := req.GetInfo()
	opts, err := parseOptions(info)
	if err != nil {
		return nil, err
	}
	pm, err := npm.ResolvePackageManager(opts.packagemanager, info.GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	deps, err := pm.ListPackages(ctx, info.GetProgramDirectory(), req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, d := range deps {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return resp, nil
}

// InstallDependencies backs `pulumi install` and LocalWorkspace.install().
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	info := req.GetInfo()
	opts, err := parseOptions(info)
	if err != nil {
		return err
	}
	dir := info.GetProgramDirectory()
	// In an npm/yarn workspace, install from its root like `npm install` would.
	if root, err := npm.FindWorkspaceRoot(dir); err == nil {
		fmt.Fprintf(stdout, "Detected workspace root at %s\n", root)
		dir = root
	}
	fmt.Fprintf(stdout, "Installing dependencies...\n\n")
	if _, err := npm.Install(server.Context(), opts.packagemanager, dir, false /*production*/, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// RuntimeOptionsPrompts is asked by `pulumi new`; we have no questions.
func (h *host) RuntimeOptionsPrompts(
	ctx context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}
