// oneDNN's C API and the OpenMP thread controls that oneDNN's threading runtime (libgomp) obeys.
// The library is linked by Package.swift (`-ldnnl`, or the one under COLA_ONEDNN_PREFIX).
//
// oneDNN 3.0 replaced the 2.x operation descriptors (`dnnl_*_desc_init` + `dnnl_primitive_desc_create`)
// with one `dnnl_*_primitive_desc_create` per primitive, and turned memory descriptors from structs
// into handles that are created and destroyed. The `cola_dnnl_*` helpers below are one API over both:
// Debian 12's libdnnl-dev (2.6) and any oneDNN 3.x. Swift (ColaTensor/OneDNN.swift) calls only these
// for what differs, so nothing above it knows the version.
//
// A layout (`cola_dnnl_layout_t`) is an owned memory descriptor: a heap copy of the struct in 2.x, a
// `dnnl_memory_desc_t` handle in 3.x. Every layout returned here is new and freed with
// `cola_dnnl_layout_destroy`.
#ifndef COLA_CDNNL_SHIM_H
#define COLA_CDNNL_SHIM_H
#include <dnnl.h>
#include <stdlib.h>
#include <string.h>

int omp_get_max_threads(void);
void omp_set_num_threads(int num_threads);

typedef struct cola_dnnl_layout *cola_dnnl_layout_t;

#if DNNL_VERSION_MAJOR >= 3

static inline dnnl_memory_desc_t cola_dnnl_md(cola_dnnl_layout_t layout) { return (dnnl_memory_desc_t)layout; }

static inline dnnl_status_t cola_dnnl_layout_create(cola_dnnl_layout_t *layout, int ndims, const dnnl_dim_t *dims,
                                                    dnnl_format_tag_t tag) {
    dnnl_memory_desc_t md = NULL;
    dnnl_status_t status = dnnl_memory_desc_create_with_tag(&md, ndims, dims, dnnl_f32, tag);
    *layout = (cola_dnnl_layout_t)md;
    return status;
}

static inline void cola_dnnl_layout_destroy(cola_dnnl_layout_t layout) { dnnl_memory_desc_destroy(cola_dnnl_md(layout)); }

static inline cola_dnnl_layout_t cola_dnnl_layout_clone(const_dnnl_memory_desc_t md) {
    dnnl_memory_desc_t copy = NULL;
    if (md != NULL) {
        dnnl_memory_desc_clone(&copy, md);
    } else {
        dnnl_memory_desc_create_with_tag(&copy, 0, NULL, dnnl_data_type_undef, dnnl_format_tag_undef);
    }
    return (cola_dnnl_layout_t)copy;
}

#else

static inline const dnnl_memory_desc_t *cola_dnnl_md(cola_dnnl_layout_t layout) {
    return (const dnnl_memory_desc_t *)layout;
}

static inline dnnl_status_t cola_dnnl_layout_create(cola_dnnl_layout_t *layout, int ndims, const dnnl_dim_t *dims,
                                                    dnnl_format_tag_t tag) {
    dnnl_memory_desc_t *md = (dnnl_memory_desc_t *)calloc(1, sizeof(dnnl_memory_desc_t));
    *layout = (cola_dnnl_layout_t)md;
    if (md == NULL) return dnnl_out_of_memory;
    return dnnl_memory_desc_init_by_tag(md, ndims, dims, dnnl_f32, tag);
}

static inline void cola_dnnl_layout_destroy(cola_dnnl_layout_t layout) { free(layout); }

static inline cola_dnnl_layout_t cola_dnnl_layout_clone(const dnnl_memory_desc_t *md) {
    dnnl_memory_desc_t *copy = (dnnl_memory_desc_t *)calloc(1, sizeof(dnnl_memory_desc_t));
    if (copy != NULL && md != NULL) memcpy(copy, md, sizeof(dnnl_memory_desc_t));
    return (cola_dnnl_layout_t)copy;
}

static inline dnnl_status_t cola_dnnl_pd_create(dnnl_primitive_desc_t *pd, const void *op, dnnl_engine_t engine,
                                                const_dnnl_primitive_desc_t hint) {
    return dnnl_primitive_desc_create(pd, op, NULL, engine, hint);
}

#endif

// MARK: Layouts

/// Bytes a buffer of `layout` occupies.
static inline size_t cola_dnnl_layout_size(cola_dnnl_layout_t layout) {
    return dnnl_memory_desc_get_size(cola_dnnl_md(layout));
}

/// Non-zero when two layouts describe the same memory.
static inline int cola_dnnl_layout_equal(cola_dnnl_layout_t a, cola_dnnl_layout_t b) {
    return dnnl_memory_desc_equal(cola_dnnl_md(a), cola_dnnl_md(b));
}

/// A new layout: what `pd` expects for `what` (index `index`); the zero layout when it has none.
static inline cola_dnnl_layout_t cola_dnnl_layout_query(const_dnnl_primitive_desc_t pd, dnnl_query_t what, int index) {
    return cola_dnnl_layout_clone(dnnl_primitive_desc_query_md(pd, what, index));
}

/// A memory object of `layout` with no buffer yet (set per execution).
static inline dnnl_status_t cola_dnnl_memory_create(dnnl_memory_t *memory, cola_dnnl_layout_t layout, dnnl_engine_t engine) {
    return dnnl_memory_create(memory, cola_dnnl_md(layout), engine, NULL);
}

/// Points `memory` at `handle` (2.x takes the stream the buffer is used on; 3.x dropped it).
static inline dnnl_status_t cola_dnnl_memory_set_handle(dnnl_memory_t memory, void *handle, dnnl_stream_t stream) {
#if DNNL_VERSION_MAJOR >= 3
    (void)stream;
    return dnnl_memory_set_data_handle(memory, handle);
#else
    return dnnl_memory_set_data_handle_v2(memory, handle, stream);
#endif
}

/// The widest ISA oneDNN generates code for, by name (3.x dropped the Xeon Phi ISAs and added others).
static inline const char *cola_dnnl_cpu_isa_name(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "SSE4.1";
    case dnnl_cpu_isa_avx: return "AVX";
    case dnnl_cpu_isa_avx2: return "AVX2";
    case dnnl_cpu_isa_avx2_vnni: return "AVX2 VNNI";
    case dnnl_cpu_isa_avx512_core: return "AVX-512 core";
    case dnnl_cpu_isa_avx512_core_vnni: return "AVX-512 core VNNI";
    case dnnl_cpu_isa_avx512_core_bf16: return "AVX-512 core BF16";
    case dnnl_cpu_isa_avx512_core_amx: return "AVX-512 core AMX";
#if DNNL_VERSION_MAJOR >= 3
    case dnnl_cpu_isa_avx2_vnni_2: return "AVX2 VNNI 2";
    case dnnl_cpu_isa_avx512_core_fp16: return "AVX-512 core FP16";
    case dnnl_cpu_isa_avx512_core_amx_fp16: return "AVX-512 core AMX FP16";
#else
    case dnnl_cpu_isa_avx512_mic: return "AVX-512 (MIC)";
    case dnnl_cpu_isa_avx512_mic_4ops: return "AVX-512 (MIC 4ops)";
#endif
    default: return "baseline";
    }
}

// MARK: Primitive descriptors
// Each returns a new primitive descriptor in `*pd`. Spatial `dims` arrays have two entries (H, W);
// `bias` may be NULL. Convolutions and pooling run undilated.

static inline dnnl_status_t cola_dnnl_reorder_pd_create(dnnl_primitive_desc_t *pd, dnnl_engine_t engine,
                                                        cola_dnnl_layout_t src, cola_dnnl_layout_t dst) {
    return dnnl_reorder_primitive_desc_create(pd, cola_dnnl_md(src), engine, cola_dnnl_md(dst), engine, NULL);
}

static inline dnnl_status_t cola_dnnl_conv_fwd_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_prop_kind_t prop, dnnl_alg_kind_t alg,
    cola_dnnl_layout_t src, cola_dnnl_layout_t weights, cola_dnnl_layout_t bias, cola_dnnl_layout_t dst,
    const dnnl_dim_t *strides, const dnnl_dim_t *padding_l, const dnnl_dim_t *padding_r) {
#if DNNL_VERSION_MAJOR >= 3
    const dnnl_dims_t dilates = {0};
    return dnnl_convolution_forward_primitive_desc_create(
        pd, engine, prop, alg, cola_dnnl_md(src), cola_dnnl_md(weights), bias ? cola_dnnl_md(bias) : NULL,
        cola_dnnl_md(dst), strides, dilates, padding_l, padding_r, NULL);
#else
    dnnl_convolution_desc_t op;
    dnnl_status_t status = dnnl_convolution_forward_desc_init(
        &op, prop, alg, cola_dnnl_md(src), cola_dnnl_md(weights), bias ? cola_dnnl_md(bias) : NULL,
        cola_dnnl_md(dst), strides, padding_l, padding_r);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, NULL);
#endif
}

static inline dnnl_status_t cola_dnnl_conv_bwd_data_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg,
    cola_dnnl_layout_t diff_src, cola_dnnl_layout_t weights, cola_dnnl_layout_t diff_dst,
    const dnnl_dim_t *strides, const dnnl_dim_t *padding_l, const dnnl_dim_t *padding_r,
    const_dnnl_primitive_desc_t hint) {
#if DNNL_VERSION_MAJOR >= 3
    const dnnl_dims_t dilates = {0};
    return dnnl_convolution_backward_data_primitive_desc_create(
        pd, engine, alg, cola_dnnl_md(diff_src), cola_dnnl_md(weights), cola_dnnl_md(diff_dst),
        strides, dilates, padding_l, padding_r, hint, NULL);
#else
    dnnl_convolution_desc_t op;
    dnnl_status_t status = dnnl_convolution_backward_data_desc_init(
        &op, alg, cola_dnnl_md(diff_src), cola_dnnl_md(weights), cola_dnnl_md(diff_dst), strides, padding_l, padding_r);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, hint);
#endif
}

static inline dnnl_status_t cola_dnnl_conv_bwd_weights_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg,
    cola_dnnl_layout_t src, cola_dnnl_layout_t diff_weights, cola_dnnl_layout_t diff_bias, cola_dnnl_layout_t diff_dst,
    const dnnl_dim_t *strides, const dnnl_dim_t *padding_l, const dnnl_dim_t *padding_r,
    const_dnnl_primitive_desc_t hint) {
#if DNNL_VERSION_MAJOR >= 3
    const dnnl_dims_t dilates = {0};
    return dnnl_convolution_backward_weights_primitive_desc_create(
        pd, engine, alg, cola_dnnl_md(src), cola_dnnl_md(diff_weights), diff_bias ? cola_dnnl_md(diff_bias) : NULL,
        cola_dnnl_md(diff_dst), strides, dilates, padding_l, padding_r, hint, NULL);
#else
    dnnl_convolution_desc_t op;
    dnnl_status_t status = dnnl_convolution_backward_weights_desc_init(
        &op, alg, cola_dnnl_md(src), cola_dnnl_md(diff_weights), diff_bias ? cola_dnnl_md(diff_bias) : NULL,
        cola_dnnl_md(diff_dst), strides, padding_l, padding_r);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, hint);
#endif
}

/// `flags` are `dnnl_normalization_flags_t` bits (the names are the same in 2.x and 3.x, the values not).
static inline dnnl_status_t cola_dnnl_bnorm_fwd_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_prop_kind_t prop, cola_dnnl_layout_t data,
    float epsilon, unsigned flags) {
#if DNNL_VERSION_MAJOR >= 3
    return dnnl_batch_normalization_forward_primitive_desc_create(
        pd, engine, prop, cola_dnnl_md(data), cola_dnnl_md(data), epsilon, flags, NULL);
#else
    dnnl_batch_normalization_desc_t op;
    dnnl_status_t status = dnnl_batch_normalization_forward_desc_init(&op, prop, cola_dnnl_md(data), epsilon, flags);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, NULL);
#endif
}

/// Whether batch-norm backward takes the shift β as an input: 2.x counts it among the inputs when
/// `dnnl_use_shift` is set, 3.x rejects the execution if it is passed (β does not enter the gradients).
static inline int cola_dnnl_bnorm_bwd_reads_shift(void) { return DNNL_VERSION_MAJOR < 3; }

static inline dnnl_status_t cola_dnnl_bnorm_bwd_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, cola_dnnl_layout_t data, float epsilon, unsigned flags,
    const_dnnl_primitive_desc_t hint) {
#if DNNL_VERSION_MAJOR >= 3
    return dnnl_batch_normalization_backward_primitive_desc_create(
        pd, engine, dnnl_backward, cola_dnnl_md(data), cola_dnnl_md(data), cola_dnnl_md(data), epsilon, flags, hint,
        NULL);
#else
    dnnl_batch_normalization_desc_t op;
    dnnl_status_t status = dnnl_batch_normalization_backward_desc_init(
        &op, dnnl_backward, cola_dnnl_md(data), cola_dnnl_md(data), epsilon, flags);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, hint);
#endif
}

static inline dnnl_status_t cola_dnnl_eltwise_fwd_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_prop_kind_t prop, dnnl_alg_kind_t alg,
    cola_dnnl_layout_t data, float alpha, float beta) {
#if DNNL_VERSION_MAJOR >= 3
    return dnnl_eltwise_forward_primitive_desc_create(
        pd, engine, prop, alg, cola_dnnl_md(data), cola_dnnl_md(data), alpha, beta, NULL);
#else
    dnnl_eltwise_desc_t op;
    dnnl_status_t status = dnnl_eltwise_forward_desc_init(&op, prop, alg, cola_dnnl_md(data), alpha, beta);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, NULL);
#endif
}

/// The gradient from the forward input `data` (not from its output).
static inline dnnl_status_t cola_dnnl_eltwise_bwd_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg, cola_dnnl_layout_t data,
    float alpha, float beta, const_dnnl_primitive_desc_t hint) {
#if DNNL_VERSION_MAJOR >= 3
    return dnnl_eltwise_backward_primitive_desc_create(
        pd, engine, alg, cola_dnnl_md(data), cola_dnnl_md(data), cola_dnnl_md(data), alpha, beta, hint, NULL);
#else
    dnnl_eltwise_desc_t op;
    dnnl_status_t status = dnnl_eltwise_backward_desc_init(&op, alg, cola_dnnl_md(data), cola_dnnl_md(data), alpha, beta);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, hint);
#endif
}

static inline dnnl_status_t cola_dnnl_pool_fwd_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_prop_kind_t prop, dnnl_alg_kind_t alg,
    cola_dnnl_layout_t src, cola_dnnl_layout_t dst, const dnnl_dim_t *strides, const dnnl_dim_t *kernel,
    const dnnl_dim_t *padding_l, const dnnl_dim_t *padding_r) {
    const dnnl_dims_t dilation = {0};
#if DNNL_VERSION_MAJOR >= 3
    return dnnl_pooling_forward_primitive_desc_create(
        pd, engine, prop, alg, cola_dnnl_md(src), cola_dnnl_md(dst), strides, kernel, dilation, padding_l, padding_r,
        NULL);
#else
    dnnl_pooling_v2_desc_t op;
    dnnl_status_t status = dnnl_pooling_v2_forward_desc_init(
        &op, prop, alg, cola_dnnl_md(src), cola_dnnl_md(dst), strides, kernel, dilation, padding_l, padding_r);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, NULL);
#endif
}

static inline dnnl_status_t cola_dnnl_pool_bwd_pd_create(
    dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg,
    cola_dnnl_layout_t diff_src, cola_dnnl_layout_t diff_dst, const dnnl_dim_t *strides, const dnnl_dim_t *kernel,
    const dnnl_dim_t *padding_l, const dnnl_dim_t *padding_r, const_dnnl_primitive_desc_t hint) {
    const dnnl_dims_t dilation = {0};
#if DNNL_VERSION_MAJOR >= 3
    return dnnl_pooling_backward_primitive_desc_create(
        pd, engine, alg, cola_dnnl_md(diff_src), cola_dnnl_md(diff_dst), strides, kernel, dilation, padding_l,
        padding_r, hint, NULL);
#else
    dnnl_pooling_v2_desc_t op;
    dnnl_status_t status = dnnl_pooling_v2_backward_desc_init(
        &op, alg, cola_dnnl_md(diff_src), cola_dnnl_md(diff_dst), strides, kernel, dilation, padding_l, padding_r);
    return status != dnnl_success ? status : cola_dnnl_pd_create(pd, &op, engine, hint);
#endif
}

#endif
