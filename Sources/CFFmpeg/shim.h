// What Swift cannot import from libav's headers: function-like and casted macros.
#ifndef RETINA_CFFMPEG_SHIM_H
#define RETINA_CFFMPEG_SHIM_H
#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>

static inline int retina_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int retina_averror_eof(void) { return AVERROR_EOF; }
static inline int retina_averror_exit(void) { return AVERROR_EXIT; }
static inline int retina_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int retina_averror_http_unauthorized(void) { return AVERROR_HTTP_UNAUTHORIZED; }
static inline int retina_averror_http_not_found(void) { return AVERROR_HTTP_NOT_FOUND; }
static inline int retina_averror_http_forbidden(void) { return AVERROR_HTTP_FORBIDDEN; }
static inline int retina_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int retina_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int retina_averror_errno(int e) { return AVERROR(e); }
static inline int64_t retina_nopts(void) { return AV_NOPTS_VALUE; }
static inline int retina_pkt_is_key(const AVPacket *p) { return (p->flags & AV_PKT_FLAG_KEY) != 0; }
static inline int retina_frame_is_key(const AVFrame *f) { return f->key_frame; }

// One sws_scale call on whole frames, instead of rebinding libav's fixed-size arrays in Swift.
static inline int retina_scale_frame(struct SwsContext *ctx, const AVFrame *src, AVFrame *dst) {
    return sws_scale(ctx, (const uint8_t *const *)src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
}

// The same into one packed plane (gray or packed RGB), rows `stride` bytes apart.
static inline int retina_scale_frame_packed(struct SwsContext *ctx, const AVFrame *src, uint8_t *dst, int stride) {
    uint8_t *planes[4] = { dst, NULL, NULL, NULL };
    int strides[4] = { stride, 0, 0, 0 };
    return sws_scale(ctx, (const uint8_t *const *)src->data, src->linesize, 0, src->height, planes, strides);
}

// Narrows a frame (a reference of its own) to a rectangle without copying: libav moves the plane
// pointers. Unaligned: the rectangle is kept exactly, at the price of unaligned rows.
static inline int retina_frame_crop(AVFrame *f, int x, int y, int w, int h) {
    if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > f->width || y + h > f->height) return AVERROR(EINVAL);
    f->crop_left = (size_t)x;
    f->crop_top = (size_t)y;
    f->crop_right = (size_t)(f->width - x - w);
    f->crop_bottom = (size_t)(f->height - y - h);
    return av_frame_apply_cropping(f, AV_FRAME_CROP_UNALIGNED);
}
#endif
