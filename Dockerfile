FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
ARG RELEASE=""
# The release written on every history record (e.g. --build-arg RELEASE=$(git rev-parse HEAD)).
ENV RELEASE=$RELEASE
WORKDIR /app
RUN useradd --create-home --uid 10001 permits
COPY pyproject.toml README.md ./
COPY config ./config
COPY permits ./permits
COPY workflow ./workflow
COPY accounts ./accounts
COPY documents ./documents
COPY directory ./directory
COPY outbox ./outbox
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/x.db \
    python manage.py collectstatic --noinput
USER permits
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--worker-class", "gthread", "--threads", "4", \
     "--limit-request-line", "8190", "--limit-request-fields", "100", "--limit-request-field_size", "8190"]
