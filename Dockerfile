# One image for every service; SERVICE picks which app uvicorn serves.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir .
USER nobody
ENV SERVICE=registry
EXPOSE 8000
CMD ["sh", "-c", "exec uvicorn --factory services.${SERVICE}.app:create_app --host 0.0.0.0 --port 8000 --no-access-log"]
