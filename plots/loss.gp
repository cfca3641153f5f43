# loss.gp - training curves: the training loss (raw and smoothed) and the
# validation score, on a log scale.
#
# tsdiff runs
#   gnuplot -d -e "datafile='D'; metafile='M'; plotdir='P'; term='png'" loss.gp
# where M defines width, height, hasval, nfiles (1) and outfiles[1], and D
# holds two comma-separated blocks:
#   index 0: step,train,train_smoothed
#   index 1: step,validation    (only the steps where it was measured)

load metafile
load plotdir.'/style.gp'
set output outfiles[1]
set title 'Training' noenhanced
set xlabel 'step' textcolor rgb '#404040'
set ylabel 'loss' textcolor rgb '#404040'
set logscale y
set format y '%g'
set format x '%.0f'
set autoscale xfix
set mytics 10
set grid mytics
set key top right horizontal reverse Left samplen 2 width 1 maxrows 1
set autoscale yfix
set offsets 0, 0, graph 0.12, graph 0.04
plot datafile index 0 using 1:2 with lines lw 1 lc rgb c_train title 'train', \
     '' index 0 using 1:3 with lines lw 2 lc rgb c_smooth title 'train (smoothed)', \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.6 lw 1.5 lc rgb c_val \
        title (hasval ? 'validation' : '')
set output
