/* emu_exec.cc - kernels on the host: the launch checks, and the executor
 * that runs a grid block by block, the threads of a block as fibers
 * that switch only at __syncthreads and warp shuffles.
 *
 * On x86-64 a fiber switch is a few instructions of our own (callee-saved
 * registers and the stack pointer); elsewhere it is swapcontext(), which
 * also saves the signal mask, a system call per switch.
 *
 * Order: blocks, and the threads of a block, run in index order, or in
 * reverse with TS_EMU_ORDER=reverse. A kernel whose result depends on the
 * order its threads run in (a race on a GPU) gives different results in
 * the two orders, so the tests run in both.
 *
 * The first launch of every kernel runs as fibers. A kernel that reached no
 * barrier there runs later launches as plain calls, thread after thread
 * (much faster); should it then reach a barrier after all, the emulation
 * stops with a message rather than give a wrong answer.
 */
#include "emu_internal.h"

#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include <map>

#if defined(__SANITIZE_ADDRESS__)
#define EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMU_ASAN 1
#endif
#endif
#ifdef EMU_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

ts_emu_thread *ts_emu_cur;

namespace {

enum { READY, WAIT_BLOCK, WAIT_WARP, DONE };
enum { MAX_THREADS = 1024, STACK_BYTES = 256 << 10 };


/* ---- context switches ---------------------------------------------------- */

#if defined(__x86_64__)
/* Save rbp, rbx, r12-r15 on the current stack and its pointer in *from; load
 * the stack pointer `to` and restore the registers saved there. */
extern "C" void ts_emu_switch(void **from, void *to);
__asm__(".text\n"
        ".globl ts_emu_switch\n"
        ".hidden ts_emu_switch\n"
        ".type ts_emu_switch, @function\n"
        "ts_emu_switch:\n"
        "    pushq %rbp\n    pushq %rbx\n    pushq %r12\n"
        "    pushq %r13\n    pushq %r14\n    pushq %r15\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    popq %r15\n    popq %r14\n    popq %r13\n"
        "    popq %r12\n    popq %rbx\n    popq %rbp\n"
        "    ret\n"
        ".size ts_emu_switch, .-ts_emu_switch\n");

typedef struct fctx {
    void *sp;
} fctx;

/* A context that starts fn on the stack [stack, stack + bytes): the six
 * registers ts_emu_switch pops, then fn as its return address, then a zero
 * return address for fn (which never returns), 16-byte aligned as a call
 * would leave it. */
void ctx_make(fctx *c, char *stack, size_t bytes, void (*fn)(void))
{
    uintptr_t top = ((uintptr_t)stack + bytes) & ~(uintptr_t)15;
    void **sp = (void **)top;
    *--sp = NULL;
    *--sp = (void *)fn;
    for (int i = 0; i < 6; i++) *--sp = NULL;
    c->sp = sp;
}

void ctx_switch(fctx *from, fctx *to) { ts_emu_switch(&from->sp, to->sp); }
#else
typedef struct fctx {
    ucontext_t uc;
} fctx;

void ctx_make(fctx *c, char *stack, size_t bytes, void (*fn)(void))
{
    if (getcontext(&c->uc) != 0) ts_emu_die("getcontext failed");
    c->uc.uc_stack.ss_sp = stack;
    c->uc.uc_stack.ss_size = bytes;
    c->uc.uc_link = NULL;
    makecontext(&c->uc, fn, 0);
}

void ctx_switch(fctx *from, fctx *to)
{
    if (swapcontext(&from->uc, &to->uc) != 0) ts_emu_die("swapcontext failed");
}
#endif

/* ---- fibers ------------------------------------------------------------------ */

struct fiber {
    fctx uc;
    char *stack;
    int state;
    void *fake;                  /* ASan's fake stack while switched out */
    ts_emu_thread ctx;
};

/* A warp's shuffles use the two slot rows in turn: a lane can only write a
 * row again after every lane has passed the shuffle in between, by when
 * all have read it. */
struct warp {
    int arrived, need, row;
    unsigned mask;
    uint64_t slot[2][32];
};

/* The block being run. */
struct block_run {
    const std::function<void()> *body;
    const char *name;
    int n, alive, cur;
    int bar_arrived;
    bool barrier_used;
    warp warps[MAX_THREADS / 32];
    fctx sched;
    void *sched_fake;
    const void *sched_bottom;
    size_t sched_size;
};

fiber *fibers;                   /* [MAX_THREADS], stacks made on first use */
int fibers_made;
block_run B;
bool in_fibers;                  /* the running kernel runs as fibers */
const char *plain_name;          /* the kernel running as plain calls */
std::map<ts_emu_kernel_id, bool> barrier_free;
int order = -1;                  /* 0: index order, 1: reverse (TS_EMU_ORDER) */

/* The i-th of n in the run order. */
unsigned nth(unsigned i, unsigned n)
{
    if (order < 0) {
        const char *v = getenv("TS_EMU_ORDER");
        order = v && strcmp(v, "reverse") == 0;
    }
    return order ? n - 1 - i : i;
}

/* TS_EMU_FAIL_LAUNCH=N: the N-th kernel launch (from 1) fails, as a
 * faulting kernel would, so that tests see what a real fault does. */
bool launch_fails()
{
    static long fail_at = -1, launches;
    if (fail_at < 0) {
        const char *v = getenv("TS_EMU_FAIL_LAUNCH");
        fail_at = v ? atol(v) : 0;
    }
    return ++launches == fail_at;
}

void asan_start(void **fake, const void *bottom, size_t size)
{
#ifdef EMU_ASAN
    __sanitizer_start_switch_fiber(fake, bottom, size);
#else
    (void)fake, (void)bottom, (void)size;
#endif
}

void asan_finish(void *fake, const void **bottom, size_t *size)
{
#ifdef EMU_ASAN
    __sanitizer_finish_switch_fiber(fake, bottom, size);
#else
    (void)fake, (void)bottom, (void)size;
#endif
}

/* From the scheduler into fiber t, until it waits or ends. */
void to_fiber(int t)
{
    fiber *f = &fibers[t];
    B.cur = t;
    ts_emu_cur = &f->ctx;
    asan_start(&B.sched_fake, f->stack, STACK_BYTES);
    ctx_switch(&B.sched, &f->uc);
    asan_finish(B.sched_fake, NULL, NULL);
}

/* From the running fiber back to the scheduler; `ending`: never resumed. */
void to_sched(bool ending)
{
    fiber *f = &fibers[B.cur];
    asan_start(ending ? NULL : &f->fake, B.sched_bottom, B.sched_size);
    ctx_switch(&f->uc, &B.sched);
    asan_finish(f->fake, &B.sched_bottom, &B.sched_size);
}

void trampoline(void)
{
    asan_finish(NULL, &B.sched_bottom, &B.sched_size);
    (*B.body)();
    fibers[B.cur].state = DONE;
    B.alive--;
    to_sched(true);
}

void make_fibers(int n)
{
    if (!fibers) {
        fibers = (fiber *)calloc(MAX_THREADS, sizeof *fibers);
        if (!fibers) ts_emu_die("out of memory");
    }
    for (; fibers_made < n; fibers_made++) {
        fiber *f = &fibers[fibers_made];
        f->stack = (char *)malloc(STACK_BYTES);
        if (!f->stack) ts_emu_die("out of memory");
    }
}

uint3 coords(unsigned i, dim3 d)
{
    uint3 c = {i % d.x, i / d.x % d.y, i / (d.x * d.y)};
    return c;
}

void run_block_fibers(uint3 blk, dim3 grid, dim3 block)
{
    const int n = (int)(block.x * block.y * block.z);
    make_fibers(n);
    for (int t = 0; t < n; t++) {
        fiber *f = &fibers[t];
        f->ctx = ts_emu_thread{coords((unsigned)t, block), blk, block, grid};
        f->state = READY;
        f->fake = NULL;
        ctx_make(&f->uc, f->stack, STACK_BYTES, trampoline);
    }
    B.n = B.alive = n;
    B.bar_arrived = 0;
    for (int w = 0; w < (n + 31) / 32; w++) B.warps[w].arrived = B.warps[w].row = 0;
    while (B.alive > 0) {
        bool ran = false;
        for (int i = 0; i < n; i++) {
            const int t = (int)nth((unsigned)i, (unsigned)n);
            if (fibers[t].state == READY) {
                to_fiber(t);
                ran = true;
            }
        }
        if (!ran)
            ts_emu_die("kernel %s, block (%u,%u,%u): threads wait at a barrier or shuffle "
                       "that the others of the block (or warp) never reach", B.name, blk.x,
                       blk.y, blk.z);
    }
    ts_emu_cur = NULL;
}

/* The calls that need fibers, made by a kernel running as plain calls. */
void need_fibers(const char *what)
{
    if (!in_fibers)
        ts_emu_die("kernel %s reached %s after a launch that reached none: the emulation "
                   "cannot run it as plain calls", plain_name, what);
    B.barrier_used = true;
}

/* Wait until every lane of mask in the running thread's warp arrives. */
void warp_wait(warp *w, unsigned mask)
{
    if (w->arrived == 0) {
        w->mask = mask;
        w->need = __builtin_popcount(mask);
    } else if (w->mask != mask) {
        ts_emu_die("kernel %s: the lanes of a warp shuffle with different masks", B.name);
    }
    if (++w->arrived == w->need) {
        w->arrived = 0;
        w->row ^= 1;
        int base = B.cur / 32 * 32;
        for (int t = base; t < base + 32 && t < B.n; t++)
            if (fibers[t].state == WAIT_WARP) fibers[t].state = READY;
        return;
    }
    fibers[B.cur].state = WAIT_WARP;
    to_sched(false);
}

} /* namespace */

void __syncthreads(void)
{
    need_fibers("__syncthreads");
    if (++B.bar_arrived == B.n) {
        B.bar_arrived = 0;
        for (int t = 0; t < B.n; t++)
            if (fibers[t].state == WAIT_BLOCK) fibers[t].state = READY;
        return;
    }
    fibers[B.cur].state = WAIT_BLOCK;
    to_sched(false);
}

uint64_t ts_emu_shfl_down(unsigned int mask, uint64_t bits, unsigned int delta)
{
    need_fibers("a warp shuffle");
    const int lane = B.cur % 32, base = B.cur - lane;
    const int lanes = B.n - base < 32 ? B.n - base : 32;
    const unsigned present = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1u;
    if (!(mask >> lane & 1u))
        ts_emu_die("kernel %s: lane %d shuffles with a mask that does not name it", B.name, lane);
    if (mask & ~present)
        ts_emu_die("kernel %s: a shuffle mask names lanes the block does not have", B.name);
    warp *w = &B.warps[B.cur / 32];
    uint64_t *row = w->slot[w->row];
    row[lane] = bits;
    warp_wait(w, mask);
    const unsigned src = (unsigned)lane + delta;
    return src < 32 && (mask >> src & 1u) ? row[src] : bits;
}

void ts_emu_run_grid(ts_emu_kernel_id id, const char *name, dim3 grid, dim3 block,
                     const std::function<void()> &body)
{
    const unsigned nblocks = grid.x * grid.y * grid.z, nthreads = block.x * block.y * block.z;
    auto known = barrier_free.find(id);
    if (known != barrier_free.end() && known->second) {
        in_fibers = false;
        plain_name = name;
        ts_emu_thread ctx;
        ts_emu_cur = &ctx;
        for (unsigned b = 0; b < nblocks; b++)
            for (unsigned t = 0; t < nthreads; t++) {
                ctx = ts_emu_thread{coords(nth(t, nthreads), block), coords(nth(b, nblocks), grid),
                                    block, grid};
                body();
            }
        ts_emu_cur = NULL;
        return;
    }
    in_fibers = true;
    B.body = &body;
    B.name = name;
    B.barrier_used = false;
    for (unsigned b = 0; b < nblocks; b++)
        run_block_fibers(coords(nth(b, nblocks), grid), grid, block);
    in_fibers = false;
    barrier_free[id] = !B.barrier_used;
}

void ts_emu_enqueue_kernel(ts_emu_kernel_id id, const char *name, dim3 grid, dim3 block,
                           size_t shmem, cudaStream_t s, std::function<void()> body)
{
    if (launch_fails()) {
        ts_emu_set_error(cudaErrorLaunchFailure);
        return;
    }
    /* The limits of compute capability 8.0 and later. */
    const unsigned long long threads = (unsigned long long)block.x * block.y * block.z;
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || threads == 0 || threads > MAX_THREADS ||
        block.z > 64 || grid.x > 0x7fffffffu || grid.y > 65535 || grid.z > 65535 ||
        shmem > 48u * 1024) {
        ts_emu_set_error(cudaErrorInvalidConfiguration);
        return;
    }
    ts_emu_enqueue(s, ts_emu_node{TS_EMU_NODE_KERNEL, id,
                                  [id, name, grid, block, body]() {
                                      ts_emu_run_grid(id, name, grid, block, body);
                                  }});
}
