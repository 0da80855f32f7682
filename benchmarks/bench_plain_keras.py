"""05's take-home block, plain Keras, run as printed on the real photos: its time and accuracy.

The block in 05's last section is what learners copy into their own projects, and the notebook
says how long it takes. This runs that very code (read from the notebook) for its full 20 epochs,
with ``keras.datasets.cifar10.load_data`` answered from the real photos (the official download
cannot be reached here), and reports the training time, the test accuracy and the day's speed.
Real photos only (``WORKSHOP_BENCH_IMAGES`` or the verified archive, as in ``bench_recipe``);
about 5 minutes on a 2-core CPU.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
from pathlib import Path

from benchmarks.bench_recipe import real_photos
from benchmarks.common import markdown_table

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
NB05 = Path(__file__).resolve().parents[1] / "notebooks" / "05_cifar10.ipynb"
HEADING = "## 12. The whole finale in plain Keras"


def plain_keras_code() -> str:
    """The python block of 05's plain-Keras section, as learners see it."""
    import nbformat

    section = next(c.source for c in nbformat.read(NB05, as_version=4).cells if HEADING in c.source)
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def main() -> list[dict]:
    photos = real_photos()
    if photos is None:
        return []
    import keras

    code = plain_keras_code()
    timed = code.replace("model.fit(", "_start = _clock()\nmodel.fit(", 1).replace(
        "test_loss, test_accuracy =", "_took = _clock() - _start\ntest_loss, test_accuracy =", 1
    )
    namespace: dict = {"_clock": time.perf_counter}
    original = keras.datasets.cifar10.load_data
    keras.datasets.cifar10.load_data = lambda: photos
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(timed.replace("validation_split=0.1)", "validation_split=0.1, verbose=0)"),
                         "<plain keras>", "exec"), namespace)  # fmt: skip
    finally:
        keras.datasets.cifar10.load_data = original
    took, epochs = namespace["_took"], namespace["EPOCHS"]
    rows = [
        {
            "benchmark": f"05's plain-Keras block, {epochs} epochs, as printed",
            "test accuracy": f"{namespace['test_accuracy']:.1%}",
            "seconds": round(took),
            "images/s": round(45_000 * epochs / took),
        }
    ]
    print(markdown_table(rows, ["benchmark", "test accuracy", "seconds", "images/s"]))
    return rows


if __name__ == "__main__":
    main()
