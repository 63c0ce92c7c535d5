"""English catalogue: every string the app shows, by key. Keep the keys and {placeholders} in step with es.py."""

MESSAGES: dict[str, str] = {
    # navigation and titles
    "nav.home": "Step by step",
    "nav.matrix": "Matrix form",
    "home.title": "Attention, step by step",
    "home.intro": (
        "How a Transformer's self-attention turns a sentence into numbers, following the reference notebook: "
        "embeddings, positions, projections, the attention weights α, and the output. Change anything in the "
        "sidebar and every step updates; the address bar is always a link to this exact view."
    ),
    "matrix.title": "Matrix form",
    "matrix.intro": (
        'The same computation with whole matrices, as in the notebook\'s "Utilizando matrices" part: '
        "one product replaces the word-by-word sums."
    ),
    # sidebar controls
    "controls.title": "Controls",
    "controls.sentence": "Sentence",
    "controls.sentence_help": "Any text: it is lower-cased and split into words and punctuation (at most {max_tokens} tokens).",
    "controls.d_model": "d_model",
    "controls.d_model_help": "Width of each word's embedding vector.",
    "controls.d_k": "d_k",
    "controls.d_k_help": "Width of each query and key vector (per head).",
    "controls.d_v": "d_v",
    "controls.d_v_help": "Width of each value vector (per head).",
    "controls.n_heads": "Heads",
    "controls.n_heads_help": "Number of attention heads, each with its own W_Q, W_K, W_V.",
    "controls.seed": "Seed",
    "controls.seed_help": "Seed of the random embeddings and weights; 23 is the notebook's.",
    "controls.temperature": "Temperature",
    "controls.temperature_help": "The logits are divided by it: below 1 sharpens α, above 1 flattens it.",
    "controls.positional": "Positional encoding",
    "controls.positional_help": "The notebook's five hand-written vectors, the sinusoidal encoding of Vaswani et al., or none.",
    "controls.scaled": "Scale by 1/√d_k",
    "controls.scaled_help": "Off is the notebook's plain q·k; on divides by √d_k as in the Transformer paper.",
    "controls.causal": "Causal mask",
    "controls.causal_help": "Each word may attend only to itself and the words before it.",
    "controls.reset": "Back to the notebook's example",
    "controls.reset_help": "Restore every control to the reference notebook's values.",
    "positional.notebook": "Notebook (hand-written)",
    "positional.sinusoidal": "Sinusoidal",
    "positional.none": "None",
    # fixed URL values and errors
    "fix.malformed": "The link's value for **{key}** ({given}) is not valid; using {used} instead.",
    "fix.range": "The link's value for **{key}** ({given}) is outside the allowed range; using {used} instead.",
    "fix.empty": "The **{key}** is empty; using “{used}”.",
    "fix.too_long": "The **{key}** is too long; keeping its first {used} tokens.",
    "fix.too_long_value": "The link's value for **{key}** is too long; it was ignored.",
    "fix.unknown": "The link's value for **{key}** ({given}) is not one of the options; using the default.",
    "error.config": "These settings cannot be used ({message}); showing the notebook's example instead.",
    "error.compute": "This configuration could not be computed: {message}. Change a control in the sidebar to continue.",
    # heads
    "head.pick": "Head shown in the steps",
    "head.option": "Head {head}",
    "head.tag": " · head {head}",
    # steps
    "step1.title": "Tokens and word embeddings",
    "step1.explain": (
        "The sentence is split into {n} tokens. Each distinct token gets a vector of d_model = {d_model} "
        "random numbers (seed {seed}): its word embedding. A repeated word reuses its vector."
    ),
    "step2.title": "Positional encodings, and X = E + P",
    "step2.explain": "Attention by itself ignores word order, so a position vector is added to each embedding.",
    "step2.fallback": (
        "The notebook's hand-written position vectors exist only for d_model = 4 and at most 5 tokens "
        "(here d_model = {d_model}, {n} tokens), so the sinusoidal encoding is used instead."
    ),
    "step2.scheme.notebook": "Positions: the notebook's five hand-written vectors (pos_1 … pos_5).",
    "step2.scheme.sinusoidal": "Positions: the sinusoidal encoding of Vaswani et al. (2017), positions counted from 0.",
    "step2.scheme.none": "Positions: none (P = 0), so X = E and word order is invisible to attention.",
    "step2.scheme.custom": "Positions: edited by hand.",
    "step2.p": "positional encodings",
    "step2.x": "the input of attention",
    "step3.title": "Projection matrices W_Q, W_K, W_V",
    "step3.explain": (
        "Three learned matrices (here random, times 0.1, as in the notebook) project each d_model = {d_model} "
        "vector to a query and a key of d_k = {d_k} numbers and a value of d_v = {d_v}."
    ),
    "step4.title": "Queries, keys and values",
    "step4.explain": "Each row of X is multiplied by the three matrices: what a word looks for (q), what it offers (k), and what it passes on (v).",
    "step5.title": "The attention weights α",
    "step5.explain": (
        "Each query is compared with every key by a dot product; softmax turns each row into weights "
        "that are non-negative and add up to 1."
    ),
    "step5.tables": "The scores and α as tables",
    "step6.title": "One word, term by term",
    "step6.explain": 'As in the notebook\'s sections "Palabra me", "Palabra gusta"…: the chosen word\'s query against every key, the softmax, and the weighted sum of the values.',
    "step6.pick": "Word",
    "step6.dot": "q·k",
    "step6.logit": "logit",
    "step6.sum": "The sum: Σ α = 1 and the word's attention output",
    "step6.summary": "alphas of **{token}**: `[{alphas}]` — attention of **{token}**: `[{output}]`",
    "step7.title": "The output",
    "step7.explain": "Each word's output is its α-weighted mix of the value vectors (the notebook's \"attention scores\"). With several heads, the heads' outputs are joined and projected by W_O.",
    "step7.head_out": "αV of the head shown",
    "step7.concat": "Concat(Z_1, …, Z_h)",
    "step7.final": "Output = Concat · W_O",
    # heatmap
    "heatmap.title": "α: how much each word (row) attends to each word (column)",
    "heatmap.queries": "query (row)",
    "heatmap.keys": "key (column)",
    "heatmap.hover": "query: %{y}<br>key: %{x}<br>score q·k: %{customdata[0]:.4f}<br>logit: %{customdata[1]:.4f}<br>α: %{z:.4f}<extra></extra>",
    "heatmap.caption": "Heatmap of the {n}×{n} attention weights α: rows are queries in sentence order from the top, columns are keys; darker is less attention, brighter is more. Every value is also in the table below.",
    # tables
    "table.compact": "Showing the first {rows} of {n_rows} rows and {cols} of {n_cols} columns.",
    "table.scores": "Scores q·k (before scaling)",
    "table.alpha": "α",
    # matrix page
    "matrix.x": "X: embeddings plus positions",
    "matrix.qkv": "Q, K and V in one product each",
    "matrix.scores": "All the dot products at once: Q Kᵀ",
    "matrix.softmax": "Softmax of every row: α",
    "matrix.av": "The output: αV",
    "matrix.check": "Check: matrices against word by word",
    "matrix.check_metric": "max |αV − word-by-word sums|",
    "matrix.check_ok": "The matrix result equals the word-by-word result: the largest difference is {diff}, rounding only.",
    "matrix.check_bad": "The matrix result differs from the word-by-word result by {diff}.",
    "heatmap.masked": "masked",
    "heatmap.masked_hover": "query: %{y}<br>key: %{x}<br>masked: logit −∞, α = 0<extra></extra>",
    # multi-head page
    "multihead.title": "Multi-head attention and masks",
    "multihead.intro": "Several heads look at the same sentence with different W_Q, W_K, W_V; scaling, the causal mask and the temperature change how sharp each α is. Everything here uses the sidebar's sentence, sizes and seed.",
    "multihead.heads": "One α per head",
    "multihead.heads_explain": "{h} head(s), each with its own projections to d_k = {d_k}: each head can attend to different words.",
    "multihead.one_head": "There is one head, as in the notebook. Set Heads to 2 or more in the sidebar to compare heads side by side.",
    "multihead.concat": "Concatenation and W_O",
    "multihead.no_wo": 'With one head there is no W_O: the output is αV itself, the notebook\'s "attention scores".',
    "multihead.scaling": "Scaled against unscaled",
    "multihead.scaling_explain": "The same inputs with the notebook's plain q·k (left) and with q·k / √d_k (right, √d_k = √{d_k}). Without scaling, dot products grow with d_k and softmax saturates: one key takes almost all the weight.",
    "multihead.unscaled": "Unscaled: q·k",
    "multihead.scaled": "Scaled: q·k / √d_k",
    "multihead.entropy_explain": "Entropy of each row of α, in nats: 0 means all the weight on one key; ln n means spread evenly.",
    "multihead.h_plain": "entropy, unscaled",
    "multihead.h_scaled": "entropy, scaled",
    "multihead.h_uniform": "ln n (even spread)",
    "multihead.curve_title": "Mean entropy of α as d_k grows ({n} tokens, d_model = {d_model}, head 1)",
    "multihead.curve_y": "mean entropy of α (nats)",
    "multihead.curve_caption": "Line chart: the mean row entropy of α for d_k from 1 to 256, unscaled (solid) and scaled (dashed). Unscaled, the entropy falls as d_k grows; scaled, it stays level. The values are in the table below.",
    "multihead.causal": "The causal mask",
    "multihead.causal_explain": "With the mask, word i may attend only to words 1…i: the logits of later words are set to −∞ (grey cells), so their α is exactly 0. This is how a decoder cannot look at the future.",
    "multihead.logits": "Logits with the mask (−∞ where masked)",
    "multihead.temperature": "Temperature",
    "multihead.temperature_explain": "Dividing the logits by a temperature T < 1 sharpens α towards the largest score; T > 1 flattens it towards an even spread. The sidebar's temperature is one of the lines.",
    "multihead.temperature_title": "α of word {word} over the keys at several temperatures",
    "multihead.temperature_caption": "Line chart: one line per temperature, the α of the chosen word for each key. Lower temperatures give peakier lines. The values are in the table below.",
    # presenter mode
    "present.prev": "← Previous",
    "present.next": "Next →",
    "present.exit": "Exit",
    "present.progress": "Step {step} of {total}",
    # sidebar additions
    "nav.multihead": "Multi-head & masks",
    "nav.vectors": "Vector space",
    "nav.encoder": "Encoder block",
    "nav.edit": "Edit the numbers",
    "nav.export": "Export",
    "controls.present": "Presenter mode",
    "controls.present_help": "One step at a time in large type, for a projector; the arrow keys move between steps.",
    "controls.custom_on": "Hand-edited numbers are in use on every page (see “Edit the numbers”).",
    "controls.d_ff": "d_ff",
    "controls.d_ff_help": "Width of the feed-forward layer's hidden vector (the notebook declares 4).",
    "controls.norm_first": "Pre-LN (normalise first)",
    "controls.norm_first_help": "Off: Post-LN, as in the 2017 paper; on: Pre-LN, as in most modern models.",
    # encoder page (pages/4_encoder.py): keys encoder.*
    # export page (pages/6_export.py): keys export.*
}
