"""The board's validation report (nämndens underlag): figures in ``data``, words in ``text``,
formats in ``html``, ``pdf`` and ``xlsx``, charts in ``charts``, numbers in ``fmt``."""
