{{- /* SPDX-License-Identifier: Apache-2.0 */ -}}
{{/* Names: with the release called "packettrace" they are the names of operator/rbac/*.yaml. */}}
{{- define "packettrace.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "packettrace.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "packettrace.operatorName" -}}
{{- printf "%s-operator" (include "packettrace.fullname" .) -}}
{{- end -}}

{{- define "packettrace.agentName" -}}
{{- printf "%s-node-agent" (include "packettrace.fullname" .) -}}
{{- end -}}

{{- define "packettrace.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: packettrace
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "packettrace.operatorSelector" -}}
app.kubernetes.io/name: packettrace-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* image reference from {repository, tag, digest}: the digest wins; the tag defaults to appVersion. */}}
{{- define "packettrace.image" -}}
{{- $image := index . 0 -}}{{- $chart := index . 1 -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default $chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
Checks across values that values.schema.json cannot express with a clear message.
*/}}
{{- define "packettrace.validate" -}}
{{- $caps := .Values.agent.capabilities -}}
{{- if and (not .Values.agent.privileged) (not (has "SYS_ADMIN" $caps)) (not (and (has "BPF" $caps) (has "PERFMON" $caps))) -}}
{{- fail (printf "agent.capabilities: %v cannot load the tracer: it needs BPF and PERFMON (or SYS_ADMIN on kernels before 5.8), unless agent.privileged is true" $caps) -}}
{{- end -}}
{{- if and (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection) -}}
{{- fail (printf "operator.replicas: %d replicas need operator.leaderElection=true, or every replica would reconcile every trace" (int .Values.operator.replicas)) -}}
{{- end -}}
{{- end -}}
