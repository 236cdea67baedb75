"""Peer log-mel front ends, one thread, on the files `cola bench logmel` wrote (same run).

Each peer computes the COLA reference log-mel (window 400 periodic Hann, hop 160, FFT 1024,
|STFT|, the TF HTK mel matrix 64 x 60-7800 Hz, log(clip(x, 1e-5, 1e8))), so they do the same work
as Cola's LogMelExtractor:
  numpy      frames via stride tricks, np.fft.rfft, matmul
  scipy      same with scipy.fft.rfft (pocketfft, workers=1)
  torch      torch.stft-equivalent (unfold + torch.fft.rfft; torch.stft would center the window)
             + matmul; this is what torchaudio's MelSpectrogram does (torchaudio itself does not
             load with the CPU wheel)
  librosa    librosa.stft(center=False) + the same matrix (if installed)
  tensorflow the reference code itself, tf.signal.stft + linear_to_mel_weight_matrix (if installed)
Decode + resample for the full-pipeline row: soundfile (libsndfile) + soxr HQ (python-soxr), or
scipy.signal.resample_poly when soxr is missing.

Prints one JSON object: CPU seconds per hour of audio, best of --repeats passes.
"""
import argparse
import glob
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import soundfile

SR = 16000


def htk_mel_matrix():
    """tf.signal.linear_to_mel_weight_matrix(64, 513, 16000, 60, 7800) in float32."""
    def mel(hz):
        return np.float32(1127.0) * np.log1p(np.asarray(hz, np.float32) / np.float32(700.0))
    bins = np.linspace(0, SR / 2, 513, dtype=np.float32)[1:]
    edges = np.linspace(mel(60.0), mel(7800.0), 66, dtype=np.float32)
    spec_mel = mel(bins)[:, None]
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    w = np.maximum(0, np.minimum((spec_mel - lower) / (center - lower), (upper - spec_mel) / (upper - center)))
    return np.vstack([np.zeros((1, 64), np.float32), w]).astype(np.float32)


MEL = htk_mel_matrix()
WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)).astype(np.float32)


def frames_of(x):
    n = 1 + (len(x) - 400) // 160
    return np.lib.stride_tricks.as_strided(x, (n, 400), (x.strides[0] * 160, x.strides[0])) * WINDOW


def numpy_logmel(x):
    spec = np.abs(np.fft.rfft(frames_of(x), n=1024)).astype(np.float32)
    return np.log(np.clip(spec @ MEL, 1e-5, 1e8))


def make_scipy():
    import scipy.fft

    def run(x):
        spec = np.abs(scipy.fft.rfft(frames_of(x), n=1024, workers=1))
        return np.log(np.clip(spec @ MEL, 1e-5, 1e8))
    return run


def make_torch():
    import torch
    torch.set_num_threads(1)
    window = torch.from_numpy(WINDOW)
    mel = torch.from_numpy(MEL)

    def run(x):
        with torch.inference_mode():
            t = torch.from_numpy(x)
            spec = torch.fft.rfft(t.unfold(0, 400, 160) * window, n=1024).abs()
            return torch.log((spec @ mel).clamp(1e-5, 1e8)).numpy()
    return run


def make_librosa():
    import librosa

    def run(x):
        # librosa centers a short window inside n_fft; a 1024-sample window zero beyond 400 gives
        # TF's end-padded frames (and 4 fewer frames per clip, at the end).
        spec = np.abs(librosa.stft(x, n_fft=1024, hop_length=160, window=np.pad(WINDOW, (0, 624)), center=False))
        return np.log(np.clip(spec.T @ MEL, 1e-5, 1e8))
    return run


def make_tensorflow():
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    matrix = tf.signal.linear_to_mel_weight_matrix(64, 513, SR, 60.0, 7800.0)

    @tf.function(reduce_retracing=True)
    def logmel(x):
        s = tf.abs(tf.signal.stft(x, 400, 160, 1024))
        return tf.math.log(tf.clip_by_value(tf.tensordot(s, matrix, 1), 1e-5, 1e8))

    def run(x):
        return logmel(tf.constant(x)).numpy()
    return run


def make_resampler():
    try:
        import soxr

        def resample(x, rate):
            return x if rate == SR else soxr.resample(x, rate, SR, quality="HQ").astype(np.float32)
        return resample, "python-soxr HQ"
    except ImportError:
        from scipy.signal import resample_poly
        from math import gcd

        def resample(x, rate):
            if rate == SR:
                return x
            g = gcd(rate, SR)
            return resample_poly(x, SR // g, rate // g).astype(np.float32)
        return resample, "scipy resample_poly"


def decode(path, resample):
    data, rate = soundfile.read(path, dtype="float32", always_2d=True)
    return resample(np.ascontiguousarray(data.mean(axis=1), dtype=np.float32), rate)


def best_cpu(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    paths = sorted(glob.glob(os.path.join(args.folder, "*.wav")) + glob.glob(os.path.join(args.folder, "*.flac")))
    resample, resampler_name = make_resampler()
    decoded = [decode(p, resample) for p in paths]
    hours = sum(len(x) for x in decoded) / SR / 3600

    peers = {"numpy": lambda: numpy_logmel}
    peers["scipy"] = make_scipy
    peers["torch"] = make_torch
    peers["librosa"] = make_librosa
    peers["tensorflow"] = make_tensorflow
    reference = numpy_logmel(decoded[0])
    logmel_rates, pipeline_rates, agreement, skipped = {}, {}, {}, {}
    for name, factory in peers.items():
        try:
            fn = factory()
        except Exception as error:  # a missing optional package skips that peer
            skipped[name] = f"{type(error).__name__}: {error}"
            continue
        fn(decoded[0])  # warm up (TF traces its graph here)
        mine = np.asarray(fn(decoded[0]))
        agreement[name] = float(np.max(np.abs(mine - reference[:len(mine)])))
        logmel_rates[name] = best_cpu(lambda: [fn(x) for x in decoded], args.repeats) / hours
        pipeline_rates[name] = best_cpu(lambda: [fn(decode(p, resample)) for p in paths], max(1, args.repeats // 2)) / hours
        print(f"{name}: log-mel {logmel_rates[name]:.3f}, decode+resample+log-mel {pipeline_rates[name]:.3f} CPU s/hour", file=sys.stderr)
    decode_rate = best_cpu(lambda: [decode(p, resample) for p in paths], args.repeats) / hours
    print(json.dumps({
        "unit": "CPU seconds per hour of 16 kHz audio, 1 thread, best pass",
        "files": len(paths),
        "logmel_cpu_s_per_hour": logmel_rates,
        "decode_resample_logmel_cpu_s_per_hour": pipeline_rates,
        "decode_resample_cpu_s_per_hour": decode_rate,
        "decoder": "soundfile " + soundfile.__version__ + " + " + resampler_name,
        "max_abs_diff_vs_numpy": agreement,
        "skipped": skipped,
        "versions": {"numpy": np.__version__, "python": sys.version.split()[0]},
    }, indent=1))


if __name__ == "__main__":
    main()
