# loss.gp - training curves: the training loss (raw and smoothed) on the
# left axis and the validation score (CRPS or loss, as selected) on the right.
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
set ylabel 'training loss' textcolor rgb '#404040'
set format y '%g'
set format x '%.0f'
set autoscale xfix
# Log scales with 1-2-5 tics: losses span decades but often less than one.
tics125 = '(0.0001,0.0002,0.0005,0.001,0.002,0.005,0.01,0.02,0.05,0.1,0.2,0.5,1,2,5,10,20,50,100,200,500,1000)'
set logscale y
eval 'set ytics '.tics125
if (hasval) set logscale y2; eval 'set y2tics '.tics125; set ytics nomirror; set format y2 '%g'; set y2label 'validation' textcolor rgb '#404040'
set key top right horizontal reverse Left samplen 2 width 1 maxrows 1
set offsets 0, 0, graph 0.12, 0
if (hasval) {
    plot datafile index 0 using 1:2 with lines lw 1 lc rgb c_train title 'train', \
         '' index 0 using 1:3 with lines lw 2 lc rgb c_smooth title 'train (smoothed)', \
         '' index 1 using 1:2 axes x1y2 with linespoints pt 7 ps 0.6 lw 1.5 lc rgb c_val \
            title 'validation'
} else {
    plot datafile index 0 using 1:2 with lines lw 1 lc rgb c_train title 'train', \
         '' index 0 using 1:3 with lines lw 2 lc rgb c_smooth title 'train (smoothed)'
}
set output
