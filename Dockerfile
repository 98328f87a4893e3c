# mailpiece runtime image. It mirrors `make setup`: the same system-package script, torch first, then the
# package. Build: docker build -t mailpiece .   Run: docker run --rm mailpiece demo
FROM python:3.11-slim

ARG TORCH_SPEC="torch==2.14.1 torchvision==0.29.1"
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 OMP_THREAD_LIMIT=1

WORKDIR /opt/mailpiece
COPY scripts/install-system-deps.sh scripts/install-system-deps.sh
RUN scripts/install-system-deps.sh --runtime && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md constraints.txt ./
COPY mailpiece ./mailpiece
RUN pip install $TORCH_SPEC && pip install --constraint constraints.txt .

RUN useradd --create-home --uid 10001 mailpiece
USER mailpiece
WORKDIR /home/mailpiece
ENTRYPOINT ["mailpiece"]
CMD ["--help"]
