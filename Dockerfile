# The app in one image: python slim, a non-root user, Streamlit's own health endpoint.
#   docker build -t attention-step-by-step .
#   docker run --rm -p 8501:8501 attention-step-by-step            # a lecture hall: one replica per core behind nginx
#   docker run --rm -p 8501:8501 attention-step-by-step streamlit run app.py --server.address 0.0.0.0   # one process
# See docs/deploy.md (the hall, sticky sessions, health checks, the measured figures).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true \
    OPENBLAS_NUM_THREADS=1
# One BLAS thread: many sessions share one process and (docs/deploy.md) one core per replica;
# a threaded BLAS call then only waits for busy workers (bench_core: 3-5x slower at 256 tokens
# on a loaded 2-core host, docs/benchmarks.md "Engine").

# nginx for the hall (deploy/hall.py runs it unprivileged, with its own config in a temporary folder).
RUN apt-get update && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 app
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
# The lock file pins every version the tests passed with (docs/architecture.md: regenerating it).
COPY requirements.txt requirements-lock.txt ./
RUN pip install -c requirements-lock.txt -r requirements.txt

COPY --chown=app:app . .
USER app

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).read() != b'ok')"

# One replica per core the container may use (its CPU quota), nginx on 8501 with sticky sessions;
# SIGTERM (docker stop) stops nginx, then every replica.
CMD ["python", "-m", "deploy.hall", "--host", "0.0.0.0", "--port", "8501"]
