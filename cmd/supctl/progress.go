package main

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/openshell-contrib/supctl/resolver"
)

// showProgress reports whether downloads draw a progress bar: only on a
// terminal, and never when stdout or stderr is for machines.
func (g *globals) showProgress() bool {
	return isTerminal(g.stderr) && !g.json && g.logFormat != "json"
}

// downloadBar draws one progress bar per layer download on w: bytes, total
// and rate, cleared when the download ends.
type downloadBar struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	layer string
}

func (d *downloadBar) report(p resolver.Progress) {
	if d.bar == nil || p.Layer != d.layer || (p.Complete == 0 && !p.Done) {
		if d.bar != nil {
			_ = d.bar.Clear()
		}
		d.layer = p.Layer
		d.bar = progressbar.NewOptions64(p.Total,
			progressbar.OptionSetWriter(d.w),
			progressbar.OptionSetDescription("downloading "+shortHex(p.Layer)),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionUseIECUnits(true),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetPredictTime(false),
		)
	}
	_ = d.bar.Set64(p.Complete)
	if p.Done {
		_ = d.bar.Clear()
		d.bar = nil
	}
}
