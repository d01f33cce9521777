"""kubernetes.io example manifests used by more than one real-world case, each held once, verbatim.

Each constant is the text of a `kubernetes/website` file under `content/en/examples/…` (or a manifest the page
gives inline), as the cited page shows it. A case that needs a variant derives it from the constant
(`.replace(...)`) and says why next to the derivation, so the page's own text is never retyped.
"""

# content/en/examples/controllers/nginx-deployment.yaml
# https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
# (later revisions of the file label the pods `app.kubernetes.io/name: nginx`; the cases and the lesson
# commands such as `kubectl get pods -l app=nginx` follow the revision with `app: nginx`.)
NGINX_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""

# content/en/examples/application/web/web.yaml
# https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/
# (the tutorial's current revision: minReadySeconds 10, terminationGracePeriodSeconds 10, nginx-slim:0.24)
WEB_STATEFULSET = """\
apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: 2
  minReadySeconds: 10
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
"""

# content/en/examples/pods/probe/http-liveness.yaml
# https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
LIVENESS_HTTP = """\
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
"""

# The myapp-pod manifest given inline on
# https://kubernetes.io/docs/concepts/workloads/pods/init-containers/ ("Init containers in use")
MYAPP_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  labels:
    app.kubernetes.io/name: MyApp
spec:
  containers:
  - name: myapp-container
    image: busybox:1.28
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done"]
  - name: init-mydb
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup mydb.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for mydb; sleep 2; done"]
"""

# content/en/examples/application/deployment.yaml
# https://kubernetes.io/docs/tasks/run-application/run-stateless-application-deployment/
# (the page's current revision, without the old "# for versions before 1.9.0" comment, on nginx:1.14.2)
APPLICATION_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  selector:
    matchLabels:
      app: nginx
  replicas: 2 # tells deployment to run 2 pods matching the template
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""

# content/en/examples/application/simple_deployment.yaml
# https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/
SIMPLE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: nginx
  minReadySeconds: 5
  template:
    metadata:
      labels:
        app.kubernetes.io/name: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""

# content/en/examples/application/update_deployment.yaml
# https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/
UPDATE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: nginx
  template:
    metadata:
      labels:
        app.kubernetes.io/name: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.16.1 # update the image
        ports:
        - containerPort: 80
"""

# content/en/examples/application/php-apache.yaml
# https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough/
PHP_APACHE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: php-apache
  template:
    metadata:
      labels:
        app.kubernetes.io/name: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    app.kubernetes.io/name: php-apache
spec:
  ports:
  - port: 80
  selector:
    app.kubernetes.io/name: php-apache
"""

# The stringData Secret given inline on
# https://kubernetes.io/docs/tasks/configmap-secret/managing-secret-using-config-file/
STRING_DATA_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
type: Opaque
stringData:
  config.yaml: |
    apiUrl: "https://my.api.com/api/v1"
    username: <user>
    password: <password>
"""

# content/en/examples/controllers/job.yaml
# https://kubernetes.io/docs/concepts/workloads/controllers/job/
PI_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
"""

# content/en/examples/application/shell-demo.yaml
# https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/
SHELL_DEMO = """\
apiVersion: v1
kind: Pod
metadata:
  name: shell-demo
spec:
  volumes:
  - name: shared-data
    emptyDir: {}
  containers:
  - name: nginx
    image: nginx
    volumeMounts:
    - name: shared-data
      mountPath: /usr/share/nginx/html
  hostNetwork: true
  dnsPolicy: Default
"""


# content/en/examples/application/job/cronjob.yaml
# https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ and
# https://kubernetes.io/docs/tasks/job/automated-tasks-with-cron-jobs/
HELLO_CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            imagePullPolicy: IfNotPresent
            command:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
"""

# content/en/examples/service/networking/minimal-ingress.yaml
# https://kubernetes.io/docs/concepts/services-networking/ingress/
MINIMAL_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: minimal-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx-example
  rules:
  - http:
      paths:
      - path: /testpath
        pathType: Prefix
        backend:
          service:
            name: test
            port:
              number: 80
"""
