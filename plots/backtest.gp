# backtest.gp - fan charts of forecasts made in the past, with the actuals
# that followed, one panel per series.
#
# tsdiff runs
#   gnuplot -d -e "datafile='D'; metafile='M'; plotdir='P'; term='png'" backtest.gp
# where M defines width, height, nfiles, outfiles[], first[] and count[] (the
# panels of each output file), and per panel p: title[p], note[p],
# isdate[p], xfmt[p], fcstart[p] (x of the last observation), nonneg[p],
# hastruth[p], and note[p] (how many actuals fell inside the bands).
# D holds two comma-separated blocks per panel p (1-based):
#   index 2p-2: history   x,value
#   index 2p-1: forecast  x,q05,q10,q25,q50,q75,q90,q95,actual
# x is seconds since the epoch (UTC) when isdate[p], else a step number.
# With ncov > 0 (--plot-covariates) each panel has ncov covariate rows under
# it, drawn by covariates.gp (which describes their variables and blocks).
# Copy this file to a folder of your own and set TSDIFF_PLOTS_DIR to restyle.

load metafile
load plotdir.'/style.gp'
set key top left horizontal reverse Left samplen 2 width 1 maxrows 1
set autoscale xfix
set offsets 0, 0, graph 0.14, 0   # headroom for the key

do for [f=1:nfiles] {
    set output outfiles[f]
    if (ncov > 0) {   # covariate rows under each panel: placed by covariates.gp
        set multiplot
        top = height - panelgap + 0.0   # pixels, a float (int / int truncates)
    } else { if (count[f] > 1) {
        # Margins in pixels, whatever the height of the stack.
        set multiplot layout count[f],1 margins 80.0/width, 1 - 30.0/width, \
            50.0/height, 1 - 45.0/height spacing 0, 85.0/height
    } }
    do for [p=first[f]:first[f]+count[f]-1] {
        if (ncov > 0) { covstep = 1; load plotdir.'/covariates.gp' }
        set title title[p] noenhanced
        unset label
        set label 1 note[p] at graph 1, graph 1.02 right front noenhanced \
            font ',9' textcolor rgb '#606060'
        if (isdate[p]) {
            set xdata time; set timefmt '%s'; set format x xfmt[p]
        } else {
            set xdata; set format x '%g'
        }
        if (nonneg[p]) { set yrange [0:*] } else { set yrange [*:*] }
        unset arrow
        if (fcstart[p] == fcstart[p]) {
            set arrow 1 from first fcstart[p], graph 0 to first fcstart[p], graph 1 \
                nohead back dt 2 lw 1 lc rgb c_start
        }
        if (p == first[f]) { set key } else { unset key }
        # The first six draw nothing: they order the key.
        plot NaN with lines lw 1.3 lc rgb c_hist title 'history', \
             NaN with linespoints pt 7 ps 0.6 lw 1.2 lc rgb c_actual title 'actual', \
             NaN with lines lw 2 lc rgb c_median title 'median', \
             NaN with filledcurves fc rgb c_50 fs solid 1.0 noborder title '50%', \
             NaN with filledcurves fc rgb c_80 fs solid 1.0 noborder title '80%', \
             NaN with filledcurves fc rgb c_95 fs solid 1.0 noborder title '95%', \
             datafile index (2*p-1) using 1:2:8 with filledcurves fc rgb c_95 fs solid 1.0 noborder, \
             '' index (2*p-1) using 1:3:7 with filledcurves fc rgb c_80 fs solid 1.0 noborder, \
             '' index (2*p-1) using 1:4:6 with filledcurves fc rgb c_50 fs solid 1.0 noborder, \
             '' index (2*p-2) using 1:2 with lines lw 1.3 lc rgb c_hist, \
             '' index (2*p-1) using 1:5 with lines lw 2 lc rgb c_median, \
             '' index (2*p-1) using 1:9 with linespoints pt 7 ps 0.6 lw 1.2 lc rgb c_actual
        if (ncov > 0) { covstep = 2; load plotdir.'/covariates.gp' }
    }
    if (count[f] > 1 || ncov > 0) { unset multiplot }
    set output
}
