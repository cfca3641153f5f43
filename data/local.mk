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
# `make pretrain` reproduces it (about 40 minutes on 2 quiet cores; README,
# "The pretrained model"), `make pretrain PRETRAIN_MORE=--resume PRETRAIN_STEPS=N`
# extends it from data/default.model.ckpt.
dist_pkgdata_DATA += data/default.model
PRETRAIN_ARGS = --corpus-series 1000 --length 64:1200 --checkpoint-every 2000 --seed 1
PRETRAIN_STEPS = 40000
pretrain: src/tsdiff$(EXEEXT)
	cd $(srcdir) && nice $(abs_top_builddir)/src/tsdiff$(EXEEXT) pretrain $(PRETRAIN_ARGS) \
		--steps $(PRETRAIN_STEPS) $(PRETRAIN_MORE) -o data/default.model
.PHONY: pretrain
