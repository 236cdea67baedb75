"""Cola's front end in torch: 1 s crops of a 16 kHz waveform, each L2-normalized, and their log-mel.

Matches Sources/ColaAudio/LogMelExtractor.swift, MelFilterbank.swift and
Sources/ColaEvaluation/Embedding/ClipCrops.swift, which follow the COLA reference (cola/data.py
`extract_log_mel_spectrogram`): tf.signal.stft(400, 160, 1024) with a periodic Hann window and no
padding, magnitude, tf.signal.linear_to_mel_weight_matrix(64, 513, 16000, 60, 7800) (HTK mel, in
single precision as TensorFlow builds it), log(clip(x, 1e-5, 1e8)). See docs/audio.md.
"""

from __future__ import annotations

import numpy as np
import torch

SAMPLE_RATE = 16000
STFT_WINDOW = 400
STFT_HOP = 160
FFT_LENGTH = 1024
MEL_BANDS = 64
MEL_LOWER_HZ = 60.0
MEL_UPPER_HZ = 7800.0
LOG_CLIP_MIN = 1e-5
LOG_CLIP_MAX = 1e8
CROP_FRAMES = 96
CROP_SAMPLES = 15600  # 96 frames: 400 + 95 * 160

# The `__metadata__` values `cola export` writes for this front end (EncoderExport.frontEnd);
# load_model refuses a file whose values differ.
METADATA = {
    "sample_rate": "16000",
    "stft_window": "400",
    "stft_hop": "160",
    "fft_length": "1024",
    "mel_bands": "64",
    "mel_lower_hz": "60.0",
    "mel_upper_hz": "7800.0",
    "log_clip_min": "1e-05",
    "log_clip_max": "1e+08",
    "crop_frames": "96",
    "crop_samples": "15600",
    "crop_normalization": "l2 (epsilon 1e-9 on the squared norm)",
    "clip_embedding": "mean over consecutive non-overlapping 1 s crops; a clip shorter than a crop is centred and zero-padded",
}


def _hertz_to_mel(hertz: np.ndarray) -> np.ndarray:
    return np.float32(1127.0) * np.log1p(hertz / np.float32(700.0))


def _linspace(start: np.float32, stop: np.float32, count: int) -> np.ndarray:
    step = (stop - start) / np.float32(count - 1)
    values = start + np.arange(count, dtype=np.float32) * step
    values[-1] = stop
    return values.astype(np.float32)


def mel_matrix() -> torch.Tensor:
    """[513, 64] weights of tf.signal.linear_to_mel_weight_matrix, in float32 arithmetic."""
    bins = FFT_LENGTH // 2 + 1
    edges = _linspace(_hertz_to_mel(np.float32(MEL_LOWER_HZ)), _hertz_to_mel(np.float32(MEL_UPPER_HZ)), MEL_BANDS + 2)
    frequencies = _linspace(np.float32(0), np.float32(SAMPLE_RATE / 2), bins)
    mel = _hertz_to_mel(frequencies[1:])[:, None]
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    rising = (mel - lower) / (center - lower)
    falling = (upper - mel) / (upper - center)
    weights = np.zeros((bins, MEL_BANDS), dtype=np.float32)
    weights[1:] = np.maximum(np.float32(0), np.minimum(rising, falling))
    return torch.from_numpy(weights)


def hann_window() -> torch.Tensor:
    """tf.signal.hann_window(400, periodic=True) in single precision."""
    n = np.arange(STFT_WINDOW, dtype=np.float32)
    return torch.from_numpy(np.float32(0.5) - np.float32(0.5) * np.cos(np.float32(2 * np.pi) * n / np.float32(STFT_WINDOW)))


class LogMel(torch.nn.Module):
    """Log-mel of waveforms [..., samples] -> [..., frames, 64] (frames = 1 + (samples - 400) // 160)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("window", hann_window(), persistent=False)
        self.register_buffer("mel", mel_matrix(), persistent=False)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        # TF zero-pads each 400-sample frame at its end to 1024; torch.stft would centre it.
        frames = waveform.unfold(-1, STFT_WINDOW, STFT_HOP) * self.window
        magnitude = torch.fft.rfft(frames, n=FFT_LENGTH).abs()
        return torch.log((magnitude @ self.mel).clamp(LOG_CLIP_MIN, LOG_CLIP_MAX))


def clip_offsets(samples: int) -> list[int]:
    """Starts of the consecutive 1 s crops Cola's clip embedding averages (ClipCrops.evaluationOffsets):
    whole crops from 0, the tail dropped; a clip shorter than a crop gives one centred crop."""
    if samples <= CROP_SAMPLES:
        return [-((CROP_SAMPLES - samples) // 2)]
    return [k * CROP_SAMPLES for k in range(samples // CROP_SAMPLES)]


def hop_offsets(samples: int, hop: int) -> list[int]:
    """Starts of 1 s crops every `hop` samples inside the clip (AudioFileEmbedder.hopOffsets)."""
    if samples <= CROP_SAMPLES:
        return [-((CROP_SAMPLES - samples) // 2)]
    return list(range(0, samples - CROP_SAMPLES + 1, hop))


def crops(waveform: torch.Tensor, offsets: list[int]) -> torch.Tensor:
    """[len(offsets), 15600] crops of a 1-D waveform, zero where they run past either end, each
    divided by sqrt(max(sum x^2, 1e-9)) (ClipCrops.window)."""
    samples = waveform.shape[-1]
    out = waveform.new_zeros((len(offsets), CROP_SAMPLES))
    for row, offset in enumerate(offsets):
        start, end = max(0, offset), min(samples, offset + CROP_SAMPLES)
        if start < end:
            out[row, start - offset:end - offset] = waveform[start:end]
    squares = (out * out).sum(dim=1, keepdim=True)
    return out * torch.rsqrt(squares.clamp(min=1e-9))
