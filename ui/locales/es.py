"""Catálogo en español: cada texto de la app, por clave. Mismas claves y {marcadores} que en.py."""

MESSAGES: dict[str, str] = {
    # navegación y títulos
    "nav.home": "Paso a paso",
    "nav.matrix": "Forma matricial",
    "home.title": "Atención, paso a paso",
    "home.intro": (
        "Cómo la autoatención de un Transformer convierte una frase en números, siguiendo el cuaderno de "
        "referencia: embeddings, posiciones, proyecciones, los pesos de atención α y la salida. Cambia lo que "
        "quieras en la barra lateral y todos los pasos se actualizan; la barra de direcciones es siempre un "
        "enlace a esta vista exacta."
    ),
    "matrix.title": "Forma matricial",
    "matrix.intro": (
        'El mismo cálculo con matrices completas, como en la parte "Utilizando matrices" del cuaderno: '
        "un producto sustituye a las sumas palabra por palabra."
    ),
    # controles
    "controls.title": "Controles",
    "controls.sentence": "Frase",
    "controls.sentence_help": "Cualquier texto: se pasa a minúsculas y se divide en palabras y signos (como máximo {max_tokens} tokens).",
    "controls.d_model": "d_model",
    "controls.d_model_help": "Tamaño del vector de embedding de cada palabra.",
    "controls.d_k": "d_k",
    "controls.d_k_help": "Tamaño de cada vector query y key (por cabeza).",
    "controls.d_v": "d_v",
    "controls.d_v_help": "Tamaño de cada vector value (por cabeza).",
    "controls.n_heads": "Cabezas",
    "controls.n_heads_help": "Número de cabezas de atención, cada una con sus propias W_Q, W_K, W_V.",
    "controls.seed": "Semilla",
    "controls.seed_help": "Semilla de los embeddings y pesos aleatorios; 23 es la del cuaderno.",
    "controls.temperature": "Temperatura",
    "controls.temperature_help": "Los logits se dividen por ella: menor que 1 concentra α, mayor que 1 la reparte.",
    "controls.positional": "Codificación posicional",
    "controls.positional_help": "Los cinco vectores escritos a mano del cuaderno, la codificación sinusoidal de Vaswani et al., o ninguna.",
    "controls.scaled": "Escalar por 1/√d_k",
    "controls.scaled_help": "Apagado es el q·k simple del cuaderno; encendido divide por √d_k como en el artículo del Transformer.",
    "controls.causal": "Máscara causal",
    "controls.causal_help": "Cada palabra solo puede atender a sí misma y a las anteriores.",
    "controls.reset": "Volver al ejemplo del cuaderno",
    "controls.reset_help": "Devuelve todos los controles a los valores del cuaderno de referencia.",
    "positional.notebook": "Cuaderno (a mano)",
    "positional.sinusoidal": "Sinusoidal",
    "positional.none": "Ninguna",
    # valores corregidos y errores
    "fix.malformed": "El valor del enlace para **{key}** ({given}) no es válido; se usa {used}.",
    "fix.range": "El valor del enlace para **{key}** ({given}) está fuera del rango permitido; se usa {used}.",
    "fix.empty": "El campo **{key}** está vacío; se usa «{used}».",
    "fix.too_long": "El campo **{key}** es demasiado largo; se conservan sus primeros {used} tokens.",
    "fix.too_long_value": "El valor del enlace para **{key}** es demasiado largo; se ha ignorado.",
    "fix.unknown": "El valor del enlace para **{key}** ({given}) no es una de las opciones; se usa el valor por defecto.",
    "error.config": "Esta configuración no se puede usar ({message}); se muestra el ejemplo del cuaderno.",
    "error.compute": "No se pudo calcular esta configuración: {message}. Cambia un control de la barra lateral para continuar.",
    # cabezas
    "head.pick": "Cabeza mostrada en los pasos",
    "head.option": "Cabeza {head}",
    "head.tag": " · cabeza {head}",
    # pasos
    "step1.title": "Tokens y embeddings de palabras",
    "step1.explain": (
        "La frase se divide en {n} tokens. Cada token distinto recibe un vector de d_model = {d_model} "
        "números aleatorios (semilla {seed}): su embedding. Una palabra repetida reutiliza su vector."
    ),
    "step2.title": "Codificación posicional, y X = E + P",
    "step2.explain": "La atención por sí sola ignora el orden de las palabras, así que a cada embedding se le suma un vector de posición.",
    "step2.fallback": (
        "Los vectores de posición escritos a mano del cuaderno solo existen para d_model = 4 y como mucho 5 tokens "
        "(aquí d_model = {d_model}, {n} tokens), así que se usa la codificación sinusoidal."
    ),
    "step2.scheme.notebook": "Posiciones: los cinco vectores escritos a mano del cuaderno (pos_1 … pos_5).",
    "step2.scheme.sinusoidal": "Posiciones: la codificación sinusoidal de Vaswani et al. (2017), contando posiciones desde 0.",
    "step2.scheme.none": "Posiciones: ninguna (P = 0), así que X = E y la atención no ve el orden de las palabras.",
    "step2.scheme.custom": "Posiciones: editadas a mano.",
    "step2.p": "codificaciones posicionales",
    "step2.x": "la entrada de la atención",
    "step3.title": "Matrices de proyección W_Q, W_K, W_V",
    "step3.explain": (
        "Tres matrices aprendidas (aquí aleatorias, por 0,1, como en el cuaderno) proyectan cada vector de "
        "d_model = {d_model} en una query y una key de d_k = {d_k} números y un value de d_v = {d_v}."
    ),
    "step4.title": "Queries, keys y values",
    "step4.explain": "Cada fila de X se multiplica por las tres matrices: lo que una palabra busca (q), lo que ofrece (k) y lo que transmite (v).",
    "step5.title": "Los pesos de atención α",
    "step5.explain": (
        "Cada query se compara con todas las keys mediante un producto escalar; softmax convierte cada fila "
        "en pesos no negativos que suman 1."
    ),
    "step5.tables": "Los productos y α como tablas",
    "step6.title": "Una palabra, término a término",
    "step6.explain": 'Como en las secciones del cuaderno "Palabra me", "Palabra gusta"…: la query de la palabra elegida frente a cada key, el softmax y la suma ponderada de los values.',
    "step6.pick": "Palabra",
    "step6.dot": "q·k",
    "step6.logit": "logit",
    "step6.sum": "La suma: Σ α = 1 y la salida de atención de la palabra",
    "step6.summary": "alphas de **{token}**: `[{alphas}]` — atención de **{token}**: `[{output}]`",
    "step7.title": "La salida",
    "step7.explain": 'La salida de cada palabra es su mezcla de los vectores value ponderada por α (los "attention scores" del cuaderno). Con varias cabezas, sus salidas se concatenan y se proyectan con W_O.',
    "step7.head_out": "αV de la cabeza mostrada",
    "step7.concat": "Concat(Z_1, …, Z_h)",
    "step7.final": "Salida = Concat · W_O",
    # mapa de calor
    "heatmap.title": "α: cuánto atiende cada palabra (fila) a cada palabra (columna)",
    "heatmap.queries": "query (fila)",
    "heatmap.keys": "key (columna)",
    "heatmap.hover": "query: %{y}<br>key: %{x}<br>producto q·k: %{customdata[0]:.4f}<br>logit: %{customdata[1]:.4f}<br>α: %{z:.4f}<extra></extra>",
    "heatmap.caption": "Mapa de calor de los {n}×{n} pesos de atención α: las filas son las queries en el orden de la frase desde arriba, las columnas son las keys; más oscuro es menos atención, más claro es más. Cada valor está también en la tabla.",
    # tablas
    "table.compact": "Se muestran las primeras {rows} de {n_rows} filas y {cols} de {n_cols} columnas.",
    "table.scores": "Productos q·k (antes de escalar)",
    "table.alpha": "α",
    # página matricial
    "matrix.x": "X: embeddings más posiciones",
    "matrix.qkv": "Q, K y V con un producto cada una",
    "matrix.scores": "Todos los productos escalares a la vez: Q Kᵀ",
    "matrix.softmax": "Softmax de cada fila: α",
    "matrix.av": "La salida: αV",
    "matrix.check": "Comprobación: matrices frente a palabra por palabra",
    "matrix.check_metric": "máx |αV − sumas palabra por palabra|",
    "matrix.check_ok": "El resultado matricial es igual al de palabra por palabra: la mayor diferencia es {diff}, solo redondeo.",
    "matrix.check_bad": "El resultado matricial difiere del de palabra por palabra en {diff}.",
    "heatmap.masked": "oculta",
    "heatmap.masked_hover": "query: %{y}<br>key: %{x}<br>oculta por la máscara: logit −∞, α = 0<extra></extra>",
    # multi-head page
    "multihead.title": "Atención multicabeza y máscaras",
    "multihead.intro": "Varias cabezas miran la misma frase con W_Q, W_K, W_V distintas; el escalado, la máscara causal y la temperatura cambian lo concentrada que está cada α. Todo aquí usa la frase, los tamaños y la semilla de la barra lateral.",
    "multihead.heads": "Una α por cabeza",
    "multihead.heads_explain": "{h} cabeza(s), cada una con sus propias proyecciones a d_k = {d_k}: cada cabeza puede atender a palabras distintas.",
    "multihead.one_head": "Hay una cabeza, como en el cuaderno. Pon Cabezas a 2 o más en la barra lateral para compararlas lado a lado.",
    "multihead.concat": "Concatenación y W_O",
    "multihead.no_wo": 'Con una cabeza no hay W_O: la salida es αV, los "attention scores" del cuaderno.',
    "multihead.scaling": "Con y sin escalado",
    "multihead.scaling_explain": "Las mismas entradas con el q·k simple del cuaderno (izquierda) y con q·k / √d_k (derecha, √d_k = √{d_k}). Sin escalar, los productos crecen con d_k y el softmax se satura: una key se lleva casi todo el peso.",
    "multihead.unscaled": "Sin escalar: q·k",
    "multihead.scaled": "Escalado: q·k / √d_k",
    "multihead.entropy_explain": "Entropía de cada fila de α, en nats: 0 significa todo el peso en una key; ln n, repartido por igual.",
    "multihead.h_plain": "entropía, sin escalar",
    "multihead.h_scaled": "entropía, escalada",
    "multihead.h_uniform": "ln n (reparto uniforme)",
    "multihead.curve_title": "Entropía media de α al crecer d_k ({n} tokens, d_model = {d_model}, cabeza 1)",
    "multihead.curve_y": "entropía media de α (nats)",
    "multihead.curve_caption": "Gráfico de líneas: la entropía media por fila de α para d_k de 1 a 256, sin escalar (continua) y escalada (discontinua). Sin escalar, la entropía cae al crecer d_k; escalada, se mantiene. Los valores están en la tabla.",
    "multihead.causal": "La máscara causal",
    "multihead.causal_explain": "Con la máscara, la palabra i solo puede atender a las palabras 1…i: los logits de las posteriores valen −∞ (celdas grises), así que su α es exactamente 0. Así un decodificador no puede mirar el futuro.",
    "multihead.logits": "Logits con la máscara (−∞ donde está oculto)",
    "multihead.temperature": "Temperatura",
    "multihead.temperature_explain": "Dividir los logits por una temperatura T < 1 concentra α en la mayor puntuación; T > 1 la reparte. La temperatura de la barra lateral es una de las líneas.",
    "multihead.temperature_title": "α de la palabra {word} sobre las keys a varias temperaturas",
    "multihead.temperature_caption": "Gráfico de líneas: una línea por temperatura, la α de la palabra elegida para cada key. Las temperaturas bajas dan líneas más picudas. Los valores están en la tabla.",
    # presenter mode
    "present.prev": "← Anterior",
    "present.next": "Siguiente →",
    "present.exit": "Salir",
    "present.progress": "Paso {step} de {total}",
    # sidebar additions
    "nav.multihead": "Multicabeza y máscaras",
    "nav.vectors": "Espacio vectorial",
    "nav.encoder": "Bloque codificador",
    "nav.edit": "Editar los números",
    "nav.export": "Exportar",
    "controls.present": "Modo presentación",
    "controls.present_help": "Un paso cada vez con letra grande, para un proyector; las flechas del teclado pasan de un paso a otro.",
    "controls.custom_on": "Los números editados a mano se usan en todas las páginas (ver «Editar los números»).",
    "controls.d_ff": "d_ff",
    "controls.d_ff_help": "Tamaño del vector oculto de la capa feed-forward (el cuaderno declara 4).",
    "controls.norm_first": "Pre-LN (normalizar primero)",
    "controls.norm_first_help": "Apagado: Post-LN, como en el artículo de 2017; encendido: Pre-LN, como en la mayoría de modelos actuales.",
    # encoder page (pages/4_encoder.py): keys encoder.*
    # export page (pages/6_export.py): keys export.*
}
