"""The exported notebook's words in each language: headings, notes, comments and printed labels.

A catalogue like ui/locales: every language has the same keys and the same {placeholders}
(tests/test_i18n.py checks both). Code is never translated, only what a reader reads.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "# Self-attention, step by step",
        "intro": (
            "This notebook recreates, in plain numpy and in the style of the reference notebook, the "
            "configuration below from the app *Attention, step by step*. Run the cells in order."
        ),
        "intro_seeded": (
            "The random numbers come from `np.random.RandomState({seed})`, drawn in the app's order "
            "(one vector per distinct word, then W_q, W_k, W_v{w_o}), so every value equals the app's."
        ),
        "intro_custom": (
            "The numbers were edited by hand in the app, so the embeddings and the weights are written out "
            "below instead of drawn from the seed."
        ),
        "sentence": "sentence",
        "tokens": "tokens",
        "seed": "seed",
        "heads": "heads",
        "positional": "positional encoding",
        "scaled": "scaled by 1/√d_k",
        "causal": "causal mask",
        "temperature": "temperature",
        "weight_scale": "weight scale",
        "yes": "yes",
        "no": "no",
        "dims": "# Dimensions",
        "d_ff": "declared by the notebook; self-attention does not use it",
        "weight_scale_c": "W_q, W_k, W_v{w_o} are randn · weight_scale",
        "scale_c": "the dot products are multiplied by it",
        "temperature_c": "the logits are divided by it",
        "embeddings": "# Word embeddings",
        "tokens_c": "the sentence, lower-cased and split into words and punctuation",
        "repeated": "A repeated word reuses its vector: only its position differs.",
        "literal_embeddings": "Edited by hand in the app.",
        "positions": "## Positional encoding",
        "pos.notebook": "The notebook's hand-written vectors.",
        "pos.sinusoidal": "The sinusoidal encoding of Vaswani et al. (2017), positions counted from 0.",
        "pos.fallback": (
            "The notebook's hand-written vectors need d_model = 4 and at most 5 words; here d_model = {d_model} "
            "and there are {n} words, so the sinusoidal encoding of Vaswani et al. (2017) is used."
        ),
        "pos.none": "No positional encoding: every position vector is zero.",
        "pos.custom": "Edited by hand in the app.",
        "projection": "# Projection matrices (each one a dense layer without bias)",
        "multihead": (
            "{h} heads: W_q, W_k and W_v hold every head side by side, and head i uses the i-th block of "
            "consecutive columns. W_o mixes the concatenated heads at the end."
        ),
        "head1": "The word-by-word sections use head 1; the matrix form below computes every head.",
        "softmax_c": (
            "the reference notebook's softmax changes the array it is given (x -= max); "
            "this one subtracts the maximum from a copy, so its input stays as it was"
        ),
        "scheme.notebook": "the notebook's hand-written vectors",
        "scheme.sinusoidal": "sinusoidal (Vaswani et al. 2017)",
        "scheme.none": "none",
        "scheme.custom": "edited by hand",
        "names_c": (
            "careful with the names: {pair} and the others hold q·k, the score before the softmax "
            "(the reference notebook's naming); the attention weights α are {alphas}"
        ),
        "attention_c": (
            "the reference notebook calls this αV «attention scores»; in the literature «scores» are q·k, "
            "so the app calls it the attention output"
        ),
        "word": "## Word {word}",
        "words_note": (
            "The sentence has {n} words; the word-by-word sections show the first {k}. "
            "The matrix form below computes all of them."
        ),
        "alphas_of": "alphas of {word}:",
        "attention_of": "attention of {word}:",
        "masked": "causal mask: {other} comes after {word}",
        "masked_rest": "causal mask: only the words up to {word}",
        "matrices": "## Using matrices",
        "x_c": "one row per word",
        "head_c": "one per head",
        "concat_c": "head 1's columns first",
        "mask_c": "True where a word may attend to a key: itself and the words before it",
        "output": "attention output:",
        "check": "## Check: word by word equals matrices",
    },
    "es": {
        "title": "# Autoatención, paso a paso",
        "intro": (
            "Este cuaderno recrea, con numpy y al estilo del cuaderno de referencia, la configuración "
            "de abajo de la aplicación *Atención, paso a paso*. Ejecuta las celdas en orden."
        ),
        "intro_seeded": (
            "Los números aleatorios salen de `np.random.RandomState({seed})`, en el orden de la aplicación "
            "(un vector por palabra distinta, después W_q, W_k, W_v{w_o}), así que cada valor es igual al de la "
            "aplicación."
        ),
        "intro_custom": (
            "Los números se editaron a mano en la aplicación, así que los embeddings y los pesos se escriben "
            "abajo en lugar de sacarse de la semilla."
        ),
        "sentence": "frase",
        "tokens": "tokens",
        "seed": "semilla",
        "heads": "cabezas",
        "positional": "codificación posicional",
        "scaled": "escalado por 1/√d_k",
        "causal": "máscara causal",
        "temperature": "temperatura",
        "weight_scale": "escala de los pesos",
        "yes": "sí",
        "no": "no",
        "dims": "# Dimensiones",
        "d_ff": "la declara el cuaderno; la autoatención no la usa",
        "weight_scale_c": "W_q, W_k, W_v{w_o} son randn · weight_scale",
        "scale_c": "los productos escalares se multiplican por él",
        "temperature_c": "los logits se dividen por ella",
        "embeddings": "# Embeddings de palabras",
        "tokens_c": "la frase, en minúsculas y separada en palabras y signos de puntuación",
        "repeated": "Una palabra repetida reutiliza su vector: solo cambia su posición.",
        "literal_embeddings": "Editados a mano en la aplicación.",
        "positions": "## Codificación posicional",
        "pos.notebook": "Los vectores escritos a mano del cuaderno.",
        "pos.sinusoidal": "La codificación sinusoidal de Vaswani et al. (2017), con posiciones desde 0.",
        "pos.fallback": (
            "Los vectores escritos a mano del cuaderno necesitan d_model = 4 y como mucho 5 palabras; aquí "
            "d_model = {d_model} y hay {n} palabras, así que se usa la codificación sinusoidal de Vaswani et al. "
            "(2017)."
        ),
        "pos.none": "Sin codificación posicional: cada vector de posición es cero.",
        "pos.custom": "Editados a mano en la aplicación.",
        "projection": "# Matrices de proyección (cada una, una capa densa sin sesgo)",
        "multihead": (
            "{h} cabezas: W_q, W_k y W_v guardan todas las cabezas una al lado de otra, y la cabeza i usa el "
            "i-ésimo bloque de columnas consecutivas. W_o mezcla al final las cabezas concatenadas."
        ),
        "head1": "Las secciones palabra por palabra usan la cabeza 1; la forma matricial calcula todas las cabezas.",
        "softmax_c": (
            "el softmax del cuaderno de referencia modifica el array que recibe (x -= max); "
            "este resta el máximo a una copia, así que su entrada no cambia"
        ),
        "scheme.notebook": "los vectores escritos a mano del cuaderno",
        "scheme.sinusoidal": "sinusoidal (Vaswani et al. 2017)",
        "scheme.none": "ninguna",
        "scheme.custom": "editada a mano",
        "names_c": (
            "ojo con los nombres: {pair} y los demás guardan q·k, la puntuación antes del softmax "
            "(los nombres del cuaderno de referencia); los pesos de atención α son {alphas}"
        ),
        "attention_c": (
            "el cuaderno de referencia llama «attention scores» a esta αV; en la bibliografía los «scores» son q·k, "
            "así que la aplicación la llama salida de la atención"
        ),
        "word": "## Palabra {word}",
        "words_note": (
            "La frase tiene {n} palabras; las secciones palabra por palabra muestran las {k} primeras. "
            "La forma matricial de abajo las calcula todas."
        ),
        "alphas_of": "alphas de {word}:",
        "attention_of": "atención de {word}:",
        "masked": "máscara causal: {other} va después de {word}",
        "masked_rest": "máscara causal: solo las palabras hasta {word}",
        "matrices": "## Utilizando matrices",
        "x_c": "una fila por palabra",
        "head_c": "una por cabeza",
        "concat_c": "primero las columnas de la cabeza 1",
        "mask_c": "True donde una palabra puede atender a una clave: ella misma y las anteriores",
        "output": "salida de la atención:",
        "check": "## Comprobación: palabra por palabra igual a matrices",
    },
}
