// TypedIpc's protocol modelled in C: the words one uncontended Put and Get read and write in the shared mapping
// (src/TypedIpc/Internal/QueueProtocol.cs, layout in QueueLayout.cs), in the same places, with the same atomic
// operations, and nothing else: no .NET, no serialization (a raw 32-byte message in the slot's inline bytes), no
// waiting in the kernel, no recovery. spsc_ring --model runs it, so that the report shows how much of TypedIpc's
// distance to the raw ring is the protocol itself and how much the .NET code around it.
#ifndef PROTOCOL_MODEL_H
#define PROTOCOL_MODEL_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define MODEL_SLOTS 1024
#define MODEL_INLINE_BYTES 120
#define MODEL_NO_INTENT UINT64_MAX

static inline void model_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// The header's hot words 128 bytes apart, 64-byte process-table entries, 128-byte slots: as in QueueLayout.cs.
struct model_queue {
    _Alignas(128) _Atomic uint64_t tail;        // [items:32 | line position:30 | skipped:1 | locked:1]
    _Alignas(128) _Atomic uint64_t head;        // items taken
    _Alignas(128) _Atomic uint64_t released;    // [items:32 | line position:32], advanced by producers short of room
    _Alignas(128) _Atomic uint32_t items_futex; // bit 0: a consumer sleeps
    _Alignas(128) _Atomic uint32_t space_futex; // bit 0: a producer sleeps
    _Alignas(128) _Atomic uint32_t lifecycle;
    _Alignas(128) struct {
        _Alignas(64) _Atomic uint64_t put_from;
        _Atomic uint64_t get_from, get_count;
    } entries[2];
    struct {
        _Alignas(128) _Atomic uint64_t state; // [item:32 | record length:30 | in the ring:1 | ready:1]
        unsigned char inline_bytes[MODEL_INLINE_BYTES]; // over Start, which only a record in the ring has
    } slots[MODEL_SLOTS];
};

_Static_assert(sizeof(((struct model_queue *)0)->entries[0]) == 64, "a process-table entry is one line");
_Static_assert(sizeof(((struct model_queue *)0)->slots[0]) == 128, "a slot is two lines");

static inline uint64_t model_state(uint32_t item, uint32_t phase, size_t bytes)
{
    return ((uint64_t)item << 32) | ((uint64_t)bytes << 2) | phase;
}

static inline void model_initialize(struct model_queue *q)
{
    for (uint32_t i = 0; i < MODEL_SLOTS; i++) {
        q->slots[i].state = model_state(i, 0, 0);
    }
    for (int e = 0; e < 2; e++) {
        q->entries[e].put_from = q->entries[e].get_from = MODEL_NO_INTENT;
    }
}

// One Put of `bytes` (at most MODEL_INLINE_BYTES) by the producer of entry `entry`; the queue is never full for long
// in the modes that use it, so a full queue only spins.
static inline void model_put(struct model_queue *q, int entry, const unsigned char *message, size_t bytes)
{
    for (;;) {
        uint64_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
        uint32_t items = (uint32_t)(tail >> 32);
        uint64_t released = atomic_load_explicit(&q->released, memory_order_acquire);
        uint32_t released_items = (uint32_t)(released >> 32);
        if (atomic_load_explicit(&q->lifecycle, memory_order_acquire) != 0 || (tail & 3) != 0) {
            model_relax();
            continue;
        }
        if (items - released_items >= MODEL_SLOTS) {
            // The released-walk: past every slot a consumer has released.
            while (released_items != items
                   && (atomic_load_explicit(&q->slots[released_items % MODEL_SLOTS].state, memory_order_acquire)
                       & 0xffffffff00000001u) == model_state(released_items + MODEL_SLOTS, 0, 0)) {
                released_items++;
            }
            atomic_compare_exchange_strong(&q->released, &released, (uint64_t)released_items << 32);
            continue;
        }
        atomic_store_explicit(&q->entries[entry].put_from, tail, memory_order_relaxed);
        uint64_t expected = tail;
        if (!atomic_compare_exchange_strong(&q->tail, &expected, tail | 1)) {
            atomic_store_explicit(&q->entries[entry].put_from, MODEL_NO_INTENT, memory_order_relaxed);
            continue;
        }
        uint32_t slot = items % MODEL_SLOTS;
        memcpy(q->slots[slot].inline_bytes, message, bytes);
        atomic_store_explicit(&q->slots[slot].state, model_state(items, 1, bytes), memory_order_release);
        atomic_store_explicit(&q->tail, (uint64_t)(items + 1) << 32 | (tail & 0xfffffffcu), memory_order_release);
        atomic_store_explicit(&q->entries[entry].put_from, MODEL_NO_INTENT, memory_order_relaxed);
        // With the sleepers' bits clear, nobody is woken (TypedIpc reads both words after publishing).
        (void)atomic_load_explicit(&q->items_futex, memory_order_relaxed);
        (void)atomic_load_explicit(&q->space_futex, memory_order_relaxed);
        return;
    }
}

// One Get by the consumer of entry `entry`, spinning until an item is ready; copies it to `message`.
static inline void model_get(struct model_queue *q, int entry, unsigned char *message, size_t bytes)
{
    for (;;) {
        uint64_t head = atomic_load_explicit(&q->head, memory_order_acquire);
        uint32_t item = (uint32_t)head;
        uint32_t slot = item % MODEL_SLOTS;
        if (atomic_load_explicit(&q->lifecycle, memory_order_acquire) == 2
            || atomic_load_explicit(&q->slots[slot].state, memory_order_acquire) != model_state(item, 1, bytes)) {
            model_relax();
            continue;
        }
        atomic_store_explicit(&q->entries[entry].get_count, 1, memory_order_relaxed);
        atomic_store_explicit(&q->entries[entry].get_from, item, memory_order_release);
        uint64_t expected = head;
        if (!atomic_compare_exchange_strong(&q->head, &expected, head + 1)) {
            atomic_store_explicit(&q->entries[entry].get_from, MODEL_NO_INTENT, memory_order_relaxed);
            continue;
        }
        memcpy(message, q->slots[slot].inline_bytes, bytes);
        atomic_store_explicit(&q->slots[slot].state, model_state(item + MODEL_SLOTS, 0, bytes), memory_order_release);
        atomic_store_explicit(&q->entries[entry].get_from, MODEL_NO_INTENT, memory_order_relaxed);
        (void)atomic_load_explicit(&q->space_futex, memory_order_relaxed);
        return;
    }
}

#endif
