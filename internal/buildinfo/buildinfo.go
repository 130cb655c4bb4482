// Package buildinfo reads what the binary knows of its build, for crm --version and the
// build_info metric.
package buildinfo

import "runtime/debug"

// Info is the module version ("(devel)" for a build from a work tree), the VCS revision
// ("unknown" without VCS stamping, "+dirty" when built with uncommitted changes) and the Go
// version.
type Info struct{ Version, Revision, GoVersion string }

// Read returns the running binary's build information.
func Read() Info {
	b := Info{Version: "(devel)", Revision: "unknown", GoVersion: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.GoVersion = info.GoVersion
	if info.Main.Version != "" {
		b.Version = info.Main.Version
	}
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && b.Revision != "unknown" {
		b.Revision += "+dirty"
	}
	return b
}
