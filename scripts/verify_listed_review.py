"""The reviewed tables of ``scripts/verify_listed.py``: what a person checked by hand.

Revenue-line labels that say nothing, product and per-firm equivalences between the
data's product names and the exchange's revenue lines, and facts the revenue lines
contradict. Edit these (not the script) when a review adds or changes an entry.
"""

from __future__ import annotations

# Revenue-line labels that say nothing about a product.
GENERIC = {
    "其他",
    "其他业务",
    "销售",
    "平衡项目",
    "加工",
    "工程",
    "服务",
    "产品",
    "其他产品",
    "主营业务",
}

# Reviewed equivalences: product id -> words that, found in a revenue line, name that product.
EQUIVALENT: dict[str, tuple[str, ...]] = {
    "prod:precision-structural-part": ("精密结构件", "结构件", "金属结构件", "中小尺寸外观"),
    "prod:lightweight-structural-parts": (
        "精密金属结构件",
        "汽车零部件",
        "冲压模具和金属结构件",
        "铝制品",
        "镁制品",
    ),
    "prod:cnc-machine-tool": ("数控机床", "机床", "加工中心"),
    "prod:industrial-robot": ("工业机器人",),
    "prod:optical-lens": ("镜头",),
    "prod:passive-components": ("磁性元器件",),
    "prod:optical-module": ("光电部件",),
    "prod:modern-tcm": ("中成药",),
    "prod:engineering-plastics": ("改性塑料", "改性工程塑料"),
    "prod:pv-glass": ("光伏玻璃", "太阳能"),
    "prod:electronics-manufacturing-equipment": ("PCB精密加工检测设备", "电子装联", "检测设备"),
    "prod:data-center": ("数据中心",),
    "prod:pcs": ("储能",),
    "prod:energy-storage-system": ("储能",),
    "prod:charging-pile": ("充电桩",),
    "prod:amorphous-alloy": ("液态金属",),
    "prod:connector": ("连接器",),
    "prod:ccl": ("覆铜板",),
    "prod:pcb": ("印制电路板", "PCB"),
    "prod:acoustic-component": ("耳机", "音频"),
    "prod:wearable": ("耳机", "可穿戴"),
    "prod:power-adapter": ("适配器", "充电器"),
    "prod:cover-glass": ("防护屏", "防护玻璃"),
    "prod:smart-hardware": ("音箱",),
}

# Reviewed per-firm equivalences: (company id, product id) -> words that, found in one of that
# firm's revenue lines, confirm the product (too broad to hold for every firm).
FIRM_EQUIVALENT: dict[tuple[str, str], tuple[str, ...]] = {
    ("co:chipscreen", "prod:innovative-drug"): ("西达本胺",),  # 1.1 类原创新药 chidamide
    ("co:tasly", "prod:modern-tcm"): ("中药",),
    ("co:wuxi-apptec", "prod:cro-service"): ("实验室服务",),
    ("co:fii", "prod:server"): ("云服务设备",),
    ("co:jingcheng", "prod:hydrogen-storage-tank"): ("缠绕瓶", "低温储罐"),
    ("co:wencan", "prod:lightweight-structural-parts"): ("压铸件",),
    ("co:silan", "prod:power-semiconductor"): ("分立器件",),
    ("co:jcet", "prod:advanced-packaging"): ("凸块",),
    ("co:wlcsp", "prod:advanced-packaging"): ("芯片封装",),  # wafer-level CSP only
    ("co:anji", "prod:cmp-slurry"): ("化学机械抛光液",),
    ("co:xiamen-tungsten", "prod:carbide-cutting-tool"): ("精密刀具",),
    ("co:xiamen-tungsten", "prod:cathode-material"): ("电池材料",),  # 厦钨新能 cathodes
    ("co:xiamen-tungsten", "prod:permanent-magnet"): ("稀土业务",),
    ("co:xiamen-tungsten", "prod:tungsten-carbide-powder"): ("粉末",),
    ("co:xiamen-tungsten", "prod:cemented-carbide"): ("钨钼有色金属制品",),
    ("co:northern-rare-earth", "prod:permanent-magnet"): ("稀土功能材料",),
    ("co:bloomage", "prod:biomedical-material"): ("透明质酸钠",),
    ("co:yiling", "prod:modern-tcm"): (
        "通心络",
        "莲花清瘟",
        "参松养心",
    ),
    ("co:tigermed", "prod:cro-service"): ("临床试验",),
    ("co:pharmaron", "prod:cro-service"): ("药物发现与研究",),
    ("co:pharmaron", "prod:cdmo-service"): ("CDMO",),
    ("co:mindray", "prod:patient-monitor"): ("生命信息与支持",),
    ("co:mindray", "prod:ultrasound-system"): ("医学影像",),
    ("co:mindray", "prod:medical-imaging-equipment"): ("医学影像",),
    ("co:wondfo", "prod:poct"): ("传染病检测",),
    ("co:daan", "prod:ivd"): ("试剂类",),
    ("co:yuwell", "prod:home-diagnostic-device"): ("家用类电子检测",),
    ("co:sinocare", "prod:home-diagnostic-device"): ("血糖测试仪",),
    ("co:bgi-genomics", "prod:genetic-testing"): ("精准医学检测",),
    ("co:winning", "prod:health-software"): ("软件销售",),
    ("co:winning", "prod:smart-healthcare"): ("互联网医疗健康",),
    ("co:hikvision", "prod:smart-security"): (
        "前端音视频",
        "后端音视频",
    ),
    ("co:dahua", "prod:smart-security"): ("远程图像监控",),
    ("co:sie", "prod:mes"): ("智能制造",),
    ("co:catl", "prod:ncm-power-battery"): ("动力电池系统",),
    ("co:catl", "prod:battery-cell"): ("动力电池系统",),
    ("co:byd", "prod:battery-cell"): ("二次充电电池",),
    ("co:sunwoda", "prod:consumer-li-battery"): ("手机数码类",),
    ("co:sunwoda", "prod:bms"): ("电源管理系统",),
    ("co:desay-battery", "prod:consumer-li-battery"): ("锂聚合物电池",),
    ("co:desay-battery", "prod:battery-pack"): ("电池与配件",),
    ("co:greatpower", "prod:battery-cell"): ("二次锂离子电池",),
    ("co:tinci", "prod:electrolyte"): ("锂离子电池材料",),
    ("co:semcorp", "prod:separator"): ("膜类",),
    ("co:sinexcel", "prod:pcs"): ("新能源电能变换设备",),
    ("co:broad-ocean", "prod:drive-motor"): ("新能源车辆动力总成",),
    ("co:broad-ocean", "prod:motor-controller"): ("新能源车辆动力总成",),
    ("co:enpower", "prod:drive-motor"): (
        "交流感应电机",
        "永磁同步电动机",
    ),
    ("co:enpower", "prod:e-drive-system"): ("电驱总成",),
    ("co:hans-laser", "prod:laser-processing-equipment"): ("激光设备",),
    ("co:hans-laser", "prod:electronics-manufacturing-equipment"): ("PCB设备",),
    ("co:inovance", "prod:servo-motor"): ("运动控制类",),
    ("co:inovance", "prod:servo-drive"): ("运动控制类",),
    ("co:inovance", "prod:plc"): ("控制技术类",),
    ("co:estun", "prod:servo-motor"): ("交流伺服系统",),
    ("co:estun", "prod:servo-drive"): ("交流伺服系统",),
    ("co:estun", "prod:robot-controller"): ("运动控制系统",),
    ("co:siasun", "prod:automated-logistics-equipment"): ("物流与仓储自动化",),
    ("co:step", "prod:industrial-robot"): ("机器人与运动控制",),
    ("co:step", "prod:robot-controller"): ("机器人与运动控制",),
    ("co:hnc", "prod:industrial-robot"): ("机器人与智能产线",),
    ("co:yinghe", "prod:lithium-battery-equipment"): (
        "锂电池专用设备",
        "锂电池生产设备",
    ),
    ("co:jintian", "prod:automated-logistics-equipment"): ("物流系统",),
    ("co:jt-tech", "prod:smt-equipment"): ("电子焊接类设备",),
    ("co:sg-micro", "prod:analog-chip"): (
        "电源管理",
        "信号链",
    ),
    ("co:jiangfeng", "prod:sputtering-target"): (
        "铝靶",
        "钽靶",
    ),
    ("co:jones-tech", "prod:thermal-management-material"): ("导热材料",),
    ("co:frd", "prod:thermal-management-material"): ("导热材料",),
    ("co:cctc", "prod:ceramic-substrate"): ("陶瓷基片",),
    ("co:cctc", "prod:electronic-ceramics"): ("MLCC",),
    ("co:cctc", "prod:advanced-ceramics"): ("光纤陶瓷插芯",),
    ("co:sinocera", "prod:ceramic-powder"): ("MLCC配方粉",),
    ("co:sinocera", "prod:advanced-ceramics"): ("结构陶瓷",),
    ("co:san-huan", "prod:permanent-magnet"): ("磁性材料",),
    ("co:zhenghai-bio", "prod:biomedical-material"): (
        "口腔修复膜",
        "生物膜",
    ),
    ("co:guanhao-bio", "prod:biomedical-material"): ("生物型硬脑",),
    ("co:zte", "prod:5g-base-station"): ("运营商网络",),
    ("co:zte", "prod:network-infrastructure"): ("运营商网络",),
    ("co:boe", "prod:display-panel"): ("显示器件",),
    ("co:visionox", "prod:flexible-oled"): ("OLED显示",),
    ("co:visionox", "prod:display-panel"): ("OLED显示",),
    ("co:leyard", "prod:mini-micro-led"): ("LED小间距",),
    ("co:maxscend", "prod:rf-front-end"): (
        "射频开关",
        "射频模组",
    ),
    ("co:avary", "prod:pcb"): ("印刷电路板",),
    ("co:dsbj", "prod:fpc"): ("柔性线路板",),
    ("co:goertek", "prod:wearable"): ("智能硬件",),
    ("co:fibocom", "prod:iot-module"): ("无线通信模块",),
    # reviewed 2026-12 (issue #21, national firms): the line names the product's business
    ("co:unisplendour", "prod:server"): ("ICT基础设施",),  # 新华三 servers
    ("co:china-software", "prod:operating-system"): ("自主软件",),  # 麒麟 operating systems
    ("co:china-software", "prod:high-end-software"): ("自主软件",),
    ("co:yonyou", "prod:erp"): ("软件业务", "软件销售"),
    ("co:yonyou", "prod:high-end-software"): ("软件业务",),
    ("co:baosight", "prod:industrial-software"): ("软件开发",),
    ("co:sie", "prod:high-end-software"): ("泛ERP",),
    ("co:neusoft", "prod:high-end-software"): ("自主软件",),
    ("co:catl", "prod:bms"): ("动力电池系统",),
    ("co:sunwoda", "prod:battery-pack"): ("手机数码类",),
    ("co:greatpower", "prod:consumer-li-battery"): ("二次锂离子电池",),
    ("co:step", "prod:servo-drive"): ("机器人与运动控制",),
    ("co:sanan", "prod:sic-power-device"): ("化合物半导体",),
    ("co:naura", "prod:etching-equipment"): ("半导体设备", "集成电路装备"),
    ("co:naura", "prod:deposition-equipment"): ("半导体设备", "集成电路装备"),
    ("co:naura", "prod:cleaning-equipment"): ("半导体设备", "集成电路装备"),
    ("co:wanhua", "prod:engineering-plastics"): ("新材料系列",),
    ("co:zte", "prod:router-switch"): ("运营商网络",),
    ("co:boe", "prod:flexible-oled"): ("显示器件",),
    ("co:unilumin", "prod:mini-micro-led"): ("LED显示屏",),
    ("co:accelink", "prod:optical-chip"): ("光有源器件",),
}

# Facts the firm's revenue lines contradict, dropped: (company id, product id) -> why.
DROP: dict[tuple[str, str], str] = {}
