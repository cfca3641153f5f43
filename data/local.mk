# data: example data and its generator
# gen_sales writes data/sales.csv; the committed file is what the test
# compares the generator's output with. `make regen-sales` rewrites it.
noinst_PROGRAMS += data/gen_sales
data_gen_sales_SOURCES = data/gen_sales.c
data_gen_sales_CFLAGS = $(AM_CFLAGS) -ffp-contract=off
data_gen_sales_LDADD = -lm
EXTRA_DIST += data/sales.csv tests/gen_sales.sh
TESTS += tests/gen_sales.sh

regen-sales: data/gen_sales$(EXEEXT)
	data/gen_sales$(EXEEXT) $(srcdir)/data/sales.csv
.PHONY: regen-sales

# The pretrained default model: a committed artefact (make never retrains
# it), installed in $(pkgdatadir); forecast falls back to it (model.h).
# `make pretrain` reproduces it in six runs (README, "Pretrained
# model"; about two hours on 2 quiet cores): 40,000 steps on
# dated windows only, 10,000 more with a tenth of them undated, one step
# that keeps the final weights (the validation, on dated windows, would
# keep step 38,000's), 16,000 steps from those weights on centred
# windows with a context of 256 (a week of hourly data: the weekly lag),
# resumed for 16,000 more (the weights of the best validation are kept),
# and 1500 gentle steps on windows measured from 0 where their context
# crosses 0 (--scaling cross; the final weights are kept).
dist_pkgdata_DATA += data/default.model
PRETRAIN_ARGS = --corpus-series 1000 --length 64:1200 --checkpoint-every 2000
PRETRAIN_STEPS = 40000
PRETRAIN_UNDATED_STEPS = 10000
PRETRAIN_LONG_STEPS = 16000
PRETRAIN_CROSS_STEPS = 1500
PRETRAIN = cd $(srcdir) && nice $(abs_top_builddir)/src/tsdiff$(EXEEXT) pretrain
pretrain: src/tsdiff$(EXEEXT)
	$(PRETRAIN) $(PRETRAIN_ARGS) --seed 1 --undated 0 --steps $(PRETRAIN_STEPS) \
		-o data/pretrain-128.model
	$(PRETRAIN) --resume --undated 0.1 --steps $(PRETRAIN_UNDATED_STEPS) \
		-o data/pretrain-128.model
	$(PRETRAIN) --resume --select last --steps 1 -o data/pretrain-128.model
	$(PRETRAIN) --init data/pretrain-128.model --scaling centred --context 256 \
		$(PRETRAIN_ARGS) --seed 2 --undated 0.1 --select last \
		--steps $(PRETRAIN_LONG_STEPS) -o data/pretrain-256.model
	$(PRETRAIN) --resume --steps $(PRETRAIN_LONG_STEPS) -o data/pretrain-256.model
	$(PRETRAIN) --init data/pretrain-256.model --scaling cross --context 256 --horizon 32 \
		--corpus-series 1000 --length 64:1200 --seed 5 --undated 0.1 --select last \
		--lr 1e-4 --steps $(PRETRAIN_CROSS_STEPS) -o data/default.model
.PHONY: pretrain
