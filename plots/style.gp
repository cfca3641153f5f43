# style.gp - the look shared by tsdiff's plots: terminal, fonts, colours,
# axes and grid. Loaded by the other templates after their variables:
#   term ('png' or 'svg'), width, height (pixels).

if (term eq 'svg') {
    set terminal svg size width,height dynamic enhanced font 'Sans,11' \
        background rgb 'white' linewidth 1
} else {
    set terminal pngcairo size width,height enhanced font 'Sans,10' \
        background rgb 'white' linewidth 1
}
set encoding utf8
set datafile separator ','   # NaN is undefined: lines break there

# Axes: left and bottom only, light grid behind the data.
set border 3 lw 1 lc rgb '#808080'
set tics nomirror out scale 0.6 textcolor rgb '#404040'
set grid xtics ytics back lw 1 lc rgb '#e6e6e6' dt 1
set title font ',12' textcolor rgb '#202020'
set key noautotitle textcolor rgb '#404040'

# Colours (ColorBrewer "Blues" for the fan, a warm red for actuals).
c_hist   = '#262626'
c_median = '#08519c'
c_50     = '#6baed6'
c_80     = '#9ecae1'
c_95     = '#deebf7'
c_actual = '#cb181d'
c_start  = '#969696'
c_train  = '#a6c8e6'
c_smooth = '#08519c'
c_val    = '#e6550d'
c_cov    = '#31a354'
