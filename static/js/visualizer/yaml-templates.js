// Starting manifests for each of the lesson's 8 core features (개념 2). Pure data (hints translated).

import { t } from "../i18n.js";

export const TEMPLATES = [
  {
    key: "deployment", ko: "1. 컨테이너 배포 (Deployment)", en: "Deployment",
    hint: t("kubectl get pods -w 대신 그림에서 파드가 Pending → ContainerCreating → Running 으로 바뀌는 것을 보세요."),
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3  # "web 파드 3개가 실행되어야 한다"
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.20
          ports:
            - containerPort: 80
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
`,
  },
  {
    key: "service", ko: "2. 서비스 디스커버리 (Service)", en: "Service discovery",
    hint: t("적용 후 콘솔에서 kubectl exec <파드> -- nslookup web 으로 DNS 이름을 확인해 보세요."),
    yaml: `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
`,
  },
  {
    key: "traffic", ko: "3. 로드 밸런싱 (트래픽)", en: "Load balancing",
    hint: t("적용 후 콘솔에서 sim traffic web 30 을 실행하면 요청이 Ready 파드들에 고루 퍼집니다."),
    yaml: `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
      nodePort: 30080
`,
  },
  {
    key: "hpa", ko: "4. 자동 확장 (HPA)", en: "Auto scaling",
    hint: t("적용 후 sim load web 90 으로 CPU 부하를 주면 HPA 게이지와 파드 수가 바뀝니다."),
    yaml: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 8
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 50
`,
  },
  {
    key: "probes", ko: "5. 헬스 체크 (프로브)", en: "Health checks",
    hint: t("sim probe-fail <파드> readiness 와 sim probe-fail <파드> liveness 의 차이를 비교해 보세요."),
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.20
          readinessProbe:
            httpGet:
              path: /
              port: 80
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /
              port: 80
            periodSeconds: 10
            failureThreshold: 3
`,
  },
  {
    key: "rolling", ko: "6. 롤링 업데이트", en: "Rolling update",
    hint: t("image 를 nginx:1.21 로 바꾸고 다시 적용하면 파드가 하나씩 교체됩니다."),
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  minReadySeconds: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.21
`,
  },
  {
    key: "secret", ko: "7. 시크릿 관리 (Secret)", en: "Secret management",
    hint: t("etcd 패널에서 시크릿 값이 base64 로만 저장되는 것을 확인하고 sim encrypt-at-rest on 과 비교해 보세요."),
    yaml: `apiVersion: v1
kind: Secret
metadata:
  name: db-secret
type: Opaque
stringData:
  DB_PASSWORD: s3cr3t
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: httpd:2.4
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db-secret
                  key: DB_PASSWORD
`,
  },
  {
    key: "pvc", ko: "8. 스토리지 관리 (PVC)", en: "Storage",
    hint: t("kubectl exec 로 /data 에 파일을 쓰고 파드를 지운 뒤 새 파드에서 다시 읽어 보세요."),
    yaml: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
spec:
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: redis
          image: redis:7.2
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data
`,
  },
];
