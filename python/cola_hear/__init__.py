"""A Cola encoder exported with `cola export` as a HEAR 2021 module.

    import cola_hear
    model = cola_hear.load_model("exports/demo-150.safetensors")
    scene = cola_hear.get_scene_embeddings(audio, model)            # audio: [n_sounds, n_samples] at 16 kHz
    frames, timestamps = cola_hear.get_timestamp_embeddings(audio, model)

Embeddings are the encoder's pooled features (1280 for EfficientNet-B0, 512 for the small CNN),
computed as `cola embed` computes them: 1 s crops (15,600 samples), each L2-normalized, log-mel,
encoder in inference mode. The scene embedding is the mean over the clip's consecutive crops;
timestamp embeddings are crops every 50 ms (TIMESTAMP_HOP_MS) with their centre times in ms.
API: https://hearbenchmark.com/hear-api.html
"""

from __future__ import annotations

import json

import torch

from .frontend import CROP_SAMPLES, METADATA, SAMPLE_RATE, LogMel, clip_offsets, crops, hop_offsets
from .model import EfficientNetB0, SmallCNN

__all__ = ["ColaEncoder", "load_model", "get_scene_embeddings", "get_timestamp_embeddings", "TIMESTAMP_HOP_MS"]

TIMESTAMP_HOP_MS = 50
ENCODERS = {"cnn": SmallCNN, "efficientnet_b0": EfficientNetB0}
CROPS_PER_BATCH = 64


class ColaEncoder(torch.nn.Module):
    """Front end + encoder with the HEAR attributes."""

    sample_rate = SAMPLE_RATE

    def __init__(self, encoder: str):
        super().__init__()
        self.encoder_name = encoder
        self.encoder = ENCODERS[encoder]()
        self.log_mel = LogMel()
        self.scene_embedding_size = self.encoder.features
        self.timestamp_embedding_size = self.encoder.features

    @torch.no_grad()
    def embed_crops(self, waveforms: torch.Tensor) -> torch.Tensor:
        """[n, 15600] normalized crops -> [n, features]."""
        rows = []
        for start in range(0, waveforms.shape[0], CROPS_PER_BATCH):
            spectrogram = self.log_mel(waveforms[start:start + CROPS_PER_BATCH])
            rows.append(self.encoder(spectrogram.unsqueeze(1)))
        return torch.cat(rows)


def load_model(model_file_path: str = "") -> ColaEncoder:
    """The encoder in a `cola export` file (.safetensors). Refuses, naming the file and the problem,
    a file that is not readable safetensors, was not written by `cola export`, declares another
    front end, or whose tensors are not exactly the declared encoder's."""
    from safetensors import SafetensorError, safe_open

    path = str(model_file_path)
    try:
        with safe_open(path, framework="pt") as handle:
            metadata = handle.metadata() or {}
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise ValueError(f"{path}: not a readable safetensors file ({error})") from error
    if metadata.get("format") != "cola":
        raise ValueError(f"{path}: __metadata__ format is {metadata.get('format')!r}, expected 'cola' (not written by cola export)")
    try:
        encoder = json.loads(metadata["model"])["encoder"]
    except (KeyError, ValueError, TypeError) as error:
        raise ValueError(f"{path}: __metadata__ model is missing or has no encoder ({error})") from error
    if encoder not in ENCODERS:
        raise ValueError(f"{path}: encoder {encoder!r} is not one of {sorted(ENCODERS)}")
    for key, value in METADATA.items():
        if metadata.get(key) != value:
            raise ValueError(f"{path}: __metadata__ {key} is {metadata.get(key)!r}, this package's front end has {value!r}")
    model = ColaEncoder(encoder)
    expected = {name: tensor.shape for name, tensor in model.encoder.state_dict().items() if not name.endswith("num_batches_tracked")}
    found = {name[len("encoder."):]: tensor for name, tensor in tensors.items() if name.startswith("encoder.")}
    if missing := sorted(set(expected) - set(found)):
        raise ValueError(f"{path}: no tensor encoder.{missing[0]} (shape {list(expected[missing[0]])}), which a {encoder} encoder has "
                         f"({len(missing)} missing): the file holds another encoder or is incomplete")
    if extra := sorted(set(found) - set(expected)):
        raise ValueError(f"{path}: tensor encoder.{extra[0]} is not part of a {encoder} encoder: the file holds another encoder")
    for name, shape in expected.items():
        if found[name].shape != shape:
            raise ValueError(f"{path}: encoder.{name} has shape {list(found[name].shape)}, a {encoder} encoder's has {list(shape)}")
    model.encoder.load_state_dict(found, strict=False)
    return model.eval()


def _as_batch(audio: torch.Tensor) -> torch.Tensor:
    if audio.dim() != 2:
        raise ValueError(f"audio must be [n_sounds, n_samples] at {SAMPLE_RATE} Hz, got shape {list(audio.shape)}")
    return audio.to(torch.float32)


@torch.no_grad()
def get_scene_embeddings(audio: torch.Tensor, model: ColaEncoder) -> torch.Tensor:
    """[n_sounds, n_samples] at 16 kHz -> [n_sounds, scene_embedding_size]: the mean of the encoder
    features of each sound's consecutive 1 s crops (as `cola embed`)."""
    audio = _as_batch(audio)
    offsets = clip_offsets(audio.shape[1])
    features = model.embed_crops(torch.cat([crops(sound, offsets) for sound in audio]))
    return features.reshape(audio.shape[0], len(offsets), -1).mean(dim=1)


@torch.no_grad()
def get_timestamp_embeddings(audio: torch.Tensor, model: ColaEncoder) -> tuple[torch.Tensor, torch.Tensor]:
    """[n_sounds, n_samples] at 16 kHz -> ([n_sounds, n_timestamps, timestamp_embedding_size],
    [n_sounds, n_timestamps] centre times in ms): 1 s crops every TIMESTAMP_HOP_MS (as
    `cola embed --hop-ms 50`)."""
    audio = _as_batch(audio)
    offsets = hop_offsets(audio.shape[1], SAMPLE_RATE * TIMESTAMP_HOP_MS // 1000)
    features = model.embed_crops(torch.cat([crops(sound, offsets) for sound in audio]))
    centres = torch.tensor([(offset + CROP_SAMPLES / 2) * 1000 / SAMPLE_RATE for offset in offsets], dtype=torch.float32)
    return features.reshape(audio.shape[0], len(offsets), -1), centres.expand(audio.shape[0], -1).contiguous()
