"""Checkers for notebook 06, your own photos: ``from workshop.checks import own_photos as check``.

Each asks about a fixed case (a head on 64 features for 3 classes, 5 balanced classes), so the
answer does not depend on how many classes of photos a learner brought.
"""

from __future__ import annotations

from workshop.checks._core import Choice, Exercise, Mistake

__all__ = ["chance", "head_params", "why_features_help"]

FEATURES = 64  # the Dense(64) layer of models.live_cnn, where notebook 06 cuts the network

head_params = Exercise(
    "head_params",
    FEATURES * 3 + 3,
    "the Dense layer connects every one of the 64 features to every class, and each class "
    "adds one bias",
    formula="features * classes + classes",
    mistakes=[
        Mistake(FEATURES * 3, "bias forgotten: each of the 3 class outputs adds one bias"),
        Mistake(FEATURES + 3, "each feature reaches every class, not just one: multiply"),
        Mistake(
            89_834 + FEATURES * 3 + 3 - (FEATURES * 10 + 10),
            "that counts the frozen network too; the head is only the new Dense layer",
        ),
    ],
)

chance = Exercise(
    "chance",
    0.2,
    "if a model ignores the photo and always answers one class, how often is it right when "
    "every class has the same number of photos?",
    formula="1 / number of classes (for classes of equal size)",
    atol=0.005,
    mistakes=[
        Mistake(20, "as a fraction between 0 and 1, please, not a percentage"),
        Mistake(0.5, "right or wrong is not a coin toss: with 5 classes, 4 answers are wrong"),
        Mistake(0.1, "that is CIFAR-10's chance, with its 10 classes"),
    ],
)

why_features_help = Choice(
    "why_features_help",
    "With 20 photos per class, the frozen network plus a new head beats the same network "
    "trained from scratch on those photos. Why?",
    {
        "a": "the frozen network saw these classes while it trained in notebook 05",
        "b": "its convolutions already learned edges, textures and shapes from 45,000 photos; "
        "the head only has to learn which of the 64 features tell these classes apart",
        "c": "a frozen network trains for more epochs in the same time",
        "d": "the new head has more parameters than the network from scratch",
    },
    "b",
    {
        "a": "in the benchmark it never saw them (cat and truck were held out of its "
        "training), and it still wins there",
        "c": "both are trained to the end; what differs is what each starts from",
        "d": "the head has a few hundred parameters, the network from scratch about 90,000: "
        "that is why 20 photos a class are too few for it",
    },
    hint="what had the frozen layers already learned before they ever saw your photos?",
    explain="Features learned on many photos carry over to classes the network never saw.",
)
