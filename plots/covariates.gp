# covariates.gp - the covariate rows under a fan chart (--plot-covariates).
# forecast.gp and backtest.gp load it twice for panel p when ncov > 0: with
# covstep = 1 before the fan chart, which it places from the pixel row
# `top` (counted from the bottom) down; with covstep = 2 after it, to draw
# one row per covariate under it on the same time axis and move `top` to
# the next panel. Variables from the metafile: ncov, covname[], covempty[]
# covtic[] (per panel and covariate: a y tic step), xlo[p], xhi[p], fanpx, covpx, rowgap,
# panelgap (pixels) and npanels; block 2 npanels + (p-1) ncov + k-1 of the
# datafile holds panel p's covariate k (x,value).

set lmargin at screen 80.0/width
set rmargin at screen 1 - 30.0/width
set xrange [xlo[p]:xhi[p]]
if (covstep == 1) {
    set tmargin at screen top/height
    set bmargin at screen (top - fanpx)/height
    top = top - fanpx - rowgap
} else {
    unset title
    unset label
    set key
    set yrange [*:*]
    set offsets 0, 0, graph 0.3, graph 0.1   # headroom for the name
    do for [k=1:ncov] {
        c = (p - 1) * ncov + k
        set tmargin at screen top/height
        set bmargin at screen (top - covpx)/height
        set ytics covtic[c]
        plot datafile index (2*npanels + c - 1) using 1:2 with lines lw 1.3 lc rgb c_cov \
            title covname[c].(covempty[c] ? ' (no values)' : '') noenhanced
        top = top - covpx - rowgap
    }
    set ytics autofreq
    top = top - panelgap
    set offsets 0, 0, graph 0.14, 0
}
