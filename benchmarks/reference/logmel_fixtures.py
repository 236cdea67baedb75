"""Writes log-mel fixtures for Tests/ColaAudioTests from the COLA reference front end (TensorFlow).

The reference is cola/data.py `extract_log_mel_spectrogram` (google-research/google-research):
tf.signal.stft(400, 160, 1024) -> abs -> linear_to_mel_weight_matrix(64, 513, 16000, 60, 7800)
-> tensordot -> clip [1e-5, 1e8] -> log. The same is recomputed with torch.stft + the TF matrix as a
cross-check (printed, not stored).

    pip install tensorflow-cpu numpy   # torch optional
    python3 benchmarks/reference/logmel_fixtures.py Tests/ColaAudioTests/Fixtures/logmel.json
"""
import json
import sys

import numpy as np
import tensorflow as tf

SR = 16000


def reference_logmel(waveform):
    stfts = tf.signal.stft(waveform, frame_length=400, frame_step=160, fft_length=1024)
    spectrograms = tf.abs(stfts)
    matrix = tf.signal.linear_to_mel_weight_matrix(64, stfts.shape[-1], SR, 60.0, 7800.0)
    mel = tf.tensordot(spectrograms, matrix, 1)
    return tf.math.log(tf.clip_by_value(mel, 1e-5, 1e8)).numpy(), matrix.numpy()


def signals():
    rng = np.random.default_rng(20260126)
    t = np.arange(8000) / SR
    tones = 0.5 * np.sin(2 * np.pi * 1000 * t) + 0.25 * np.sin(2 * np.pi * 3300 * t + 0.3)
    t2 = np.arange(4800) / SR
    chirp = 0.8 * np.sin(2 * np.pi * (100 * t2 + 0.5 * (7900 - 100) / t2[-1] * t2 ** 2))
    noise = rng.standard_normal(4000) * 0.1
    quiet = np.zeros(2000)
    quiet[1000] = 1e-3  # mostly below the clip floor: exercises log(1e-5)
    # A 1 s L2-normalized clip like the training input (15,600 samples = 96 frames).
    speechlike = rng.standard_normal(15600) * np.abs(np.sin(2 * np.pi * 3 * np.arange(15600) / SR))
    speechlike /= np.sqrt(max(np.sum(speechlike ** 2), 1e-9))
    return {"tones": tones, "chirp": chirp, "noise": noise, "quiet": quiet, "normalized_crop": speechlike}


def torch_crosscheck(waveform, matrix):
    try:
        import torch
    except ImportError:
        return None
    x = torch.from_numpy(waveform.astype(np.float32))
    # TF zero-pads each 400-sample frame at its end to 1024; torch.stft would center it, so frame by hand.
    frames = x.unfold(0, 400, 160) * torch.hann_window(400, periodic=True)
    spec = torch.fft.rfft(frames, n=1024).abs()
    mel = spec @ torch.from_numpy(matrix)
    return torch.log(mel.clamp(1e-5, 1e8)).numpy()


def main(out_path):
    fixtures = []
    matrix = None
    for name, signal in signals().items():
        samples = signal.astype(np.float32)
        logmel, matrix = reference_logmel(samples)
        check = torch_crosscheck(samples, matrix)
        if check is not None:
            print(f"{name}: frames {logmel.shape[0]}, TF vs torch.stft max |diff| {np.max(np.abs(check - logmel)):.3g}")
        fixtures.append({
            "name": name,
            "samples": [float(v) for v in samples],
            "frames": int(logmel.shape[0]),
            "logmel": [float(v) for v in logmel.reshape(-1)],
        })
    document = {
        "source": "tensorflow " + tf.__version__ + ", cola/data.py extract_log_mel_spectrogram",
        "mel_matrix": [float(v) for v in matrix.reshape(-1)],
        "signals": fixtures,
    }
    with open(out_path, "w") as f:
        json.dump(document, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/ColaAudioTests/Fixtures/logmel.json")
