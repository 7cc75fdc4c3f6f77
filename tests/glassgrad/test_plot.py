"""The notebooks' plot helpers: seeds as mean ± band, legends off the data, and named figures saved on request."""

import base64
import os

import numpy as np
import pytest

from glassgrad import plot as gplot

pytest.importorskip("matplotlib")


def test_band_draws_the_mean_and_the_min_max_range():
    plt = gplot.style()
    fig, ax = plt.subplots()
    runs = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 7.0]])
    mean = gplot.band(ax, [0, 1, 2], runs, label="runs")
    assert np.array_equal(mean, [2.0, 3.0, 5.0])
    assert np.array_equal(ax.lines[0].get_ydata(), [2.0, 3.0, 5.0])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 1.0 and band.max() == 7.0
    plt.close(fig)


def test_legend_outside_sits_right_of_the_axes():
    plt = gplot.style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="a")
    legend = gplot.legend_outside(ax)
    fig.canvas.draw()
    box, frame = legend.get_window_extent(), ax.get_window_extent()
    assert box.x0 >= frame.x1  # entirely to the right of the plotting area: it cannot cover data
    plt.close(fig)


def test_save_writes_only_when_the_environment_names_a_folder(tmp_path, monkeypatch):
    plt = gplot.style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    monkeypatch.delenv(gplot.FIGURES_ENV, raising=False)
    assert gplot.save(fig, "fig_test") is None and not list(tmp_path.iterdir())
    monkeypatch.setenv(gplot.FIGURES_ENV, str(tmp_path / "docs"))
    path = gplot.save(fig, "fig_test")
    assert path == os.path.join(str(tmp_path / "docs"), "fig_test.png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    plt.close(fig)


def test_the_figures_script_finds_saving_notebooks_and_extracts_their_images(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from scripts import figures

    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# a figure"),
        nbformat.v4.new_code_cell("gplot.save(fig, 'fig_x')"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert figures.saves_figures(path) and figures.has_outputs(nb)
    written = figures.extract_images(nb, "nb", tmp_path / "images")
    assert [os.path.basename(p) for p in written] == ["nb_cell01_0.png"]
    assert open(written[0], "rb").read() == b"\x89PNG\r\n\x1a\nfake"
    nb.cells[1].source = "print(1)"
    nbformat.write(nb, path)
    assert not figures.saves_figures(path)
